/**
 * A strict Ogg/Opus reader for the JS encoder's tests, written apart from the gateway's muxer (its own
 * bit-by-bit CRC): every page's capture pattern, version and CRC, OpusHead alone on the first page,
 * OpusTags on the second, granule positions never going back, and the packets for decoding them back.
 */
export interface OggOpusDetail {
  pages: number;
  channels: number;
  preSkip: number;
  inputSampleRate: number;
  /** The last page's granule position: pre-skip plus the real 48 kHz samples. */
  finalGranule: number;
  endsWithEos: boolean;
  audioPackets: Buffer[];
}

function crcBitwise(b: Buffer): number {
  let crc = 0;
  for (const byte of b) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = (crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1) >>> 0;
  }
  return crc >>> 0;
}

export function readOggOpus(b: Buffer): OggOpusDetail {
  const packets: Buffer[][] = [];
  let partial: Buffer[] = [];
  let at = 0;
  let pages = 0;
  let lastGranule = -1n;
  let flags = 0;
  const pagePackets: number[] = [];
  while (at < b.length) {
    if (b.toString('latin1', at, at + 4) !== 'OggS') throw new Error(`no OggS capture pattern at byte ${at}`);
    if (b[at + 4] !== 0) throw new Error(`page ${pages}: unknown stream structure version`);
    flags = b[at + 5] ?? 0;
    if ((pages === 0) !== ((flags & 0x02) !== 0))
      throw new Error(`page ${pages}: wrong beginning-of-stream flag`);
    const granule = b.readBigInt64LE(at + 6);
    const segments = b[at + 26] ?? 0;
    const table = [...b.subarray(at + 27, at + 27 + segments)];
    const payload = at + 27 + segments;
    const size = table.reduce((s, n) => s + n, 0);
    if (payload + size > b.length) throw new Error(`page ${pages}: truncated`);
    const whole = Buffer.from(b.subarray(at, payload + size));
    const stored = whole.readUInt32LE(22);
    whole.writeUInt32LE(0, 22);
    if (crcBitwise(whole) !== stored) throw new Error(`page ${pages}: CRC mismatch`);
    if (granule !== -1n) {
      if (granule < lastGranule) throw new Error(`page ${pages}: granule position went back`);
      lastGranule = granule;
    }
    let p = payload;
    let completed = 0;
    const onPage: Buffer[] = [];
    for (const n of table) {
      partial.push(b.subarray(p, p + n));
      p += n;
      if (n < 255) {
        onPage.push(Buffer.concat(partial));
        partial = [];
        completed++;
      }
    }
    packets.push(onPage);
    pagePackets.push(completed);
    pages++;
    at = payload + size;
  }
  if (pages < 3) throw new Error(`only ${pages} page(s): no audio after the headers`);
  const head = packets[0]?.[0];
  if (packets[0]?.length !== 1 || !head || head.toString('latin1', 0, 8) !== 'OpusHead')
    throw new Error('the first page is not OpusHead alone');
  if (head[8] !== 1) throw new Error('unknown OpusHead version');
  if (packets[1]?.[0]?.toString('latin1', 0, 8) !== 'OpusTags')
    throw new Error('the second page is not OpusTags');
  return {
    pages,
    channels: head[9] ?? 0,
    preSkip: head.readUInt16LE(10),
    inputSampleRate: head.readUInt32LE(12),
    finalGranule: Number(lastGranule),
    endsWithEos: (flags & 0x04) !== 0,
    audioPackets: packets.slice(2).flat(),
  };
}
