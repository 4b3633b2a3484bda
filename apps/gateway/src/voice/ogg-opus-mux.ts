/**
 * An Ogg/Opus file (RFC 7845) around ready Opus packets: OpusHead alone on the first page, OpusTags alone
 * on the second, then the audio about a second per page, each page's granule position counting the
 * 48 kHz samples decodable once its packets are in, and the last page's trimming the padding away.
 */
export interface OggOpusStream {
  /** Mono 20 ms (960-sample) Opus packets, in order. */
  packets: Buffer[];
  samplesPerPacket: number;
  /** Decoder delay the encoder added at the start (its lookahead), dropped on playback. */
  preSkip: number;
  /** Real 48 kHz samples after the pre-skip; the rest of the last packet is padding. */
  sampleCount: number;
  inputSampleRate: number;
  vendor: string;
  serial: number;
}

const BOS = 0x02;
const EOS = 0x04;
const PACKETS_PER_PAGE = 50;
const MAX_SEGMENTS = 255;

/** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, zero start, no final xor. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

export function oggCrc(b: Uint8Array): number {
  let crc = 0;
  for (const byte of b) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  return crc;
}

/** Lacing: a packet is 255-byte segments plus a last one under 255 (0 when it ends on a boundary). */
function lacing(size: number): number[] {
  const out = new Array<number>(Math.floor(size / 255)).fill(255);
  out.push(size % 255);
  return out;
}

function page(o: {
  packets: Buffer[];
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
}): Buffer {
  const segments = o.packets.flatMap((p) => lacing(p.length));
  const header = Buffer.alloc(27 + segments.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = o.flags;
  header.writeBigInt64LE(o.granule, 6);
  header.writeUInt32LE(o.serial >>> 0, 14);
  header.writeUInt32LE(o.sequence, 18);
  header[26] = segments.length;
  Buffer.from(segments).copy(header, 27);
  const out = Buffer.concat([header, ...o.packets]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

function opusHead(s: OggOpusStream): Buffer {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'latin1');
  b[8] = 1; // version
  b[9] = 1; // mono
  b.writeUInt16LE(s.preSkip, 10);
  b.writeUInt32LE(s.inputSampleRate, 12);
  b.writeInt16LE(0, 16); // output gain
  b[18] = 0; // mapping family 0: mono or stereo, no channel table
  return b;
}

function opusTags(vendor: string): Buffer {
  const v = Buffer.from(vendor, 'utf8');
  const b = Buffer.alloc(8 + 4 + v.length + 4);
  b.write('OpusTags', 0, 'latin1');
  b.writeUInt32LE(v.length, 8);
  v.copy(b, 12);
  b.writeUInt32LE(0, 12 + v.length); // no user comments
  return b;
}

export function muxOggOpus(s: OggOpusStream): Buffer {
  if (s.packets.length === 0) throw new RangeError('an Ogg/Opus stream needs at least one audio packet');
  const end = BigInt(s.preSkip + s.sampleCount);
  if (end > BigInt(s.packets.length * s.samplesPerPacket))
    throw new RangeError('the packets hold fewer samples than the pre-skip plus the sample count');
  const pages: Buffer[] = [
    page({ packets: [opusHead(s)], flags: BOS, granule: 0n, serial: s.serial, sequence: 0 }),
    page({ packets: [opusTags(s.vendor)], flags: 0, granule: 0n, serial: s.serial, sequence: 1 }),
  ];
  let done = 0;
  while (done < s.packets.length) {
    const batch: Buffer[] = [];
    let segments = 0;
    for (const p of s.packets.slice(done, done + PACKETS_PER_PAGE)) {
      const n = lacing(p.length).length;
      if (segments + n > MAX_SEGMENTS) break;
      batch.push(p);
      segments += n;
    }
    if (batch.length === 0) throw new RangeError('an Opus packet is too large for one Ogg page');
    done += batch.length;
    const last = done === s.packets.length;
    const decodable = BigInt(done * s.samplesPerPacket);
    pages.push(
      page({
        packets: batch,
        flags: last ? EOS : 0,
        granule: last ? end : decodable,
        serial: s.serial,
        sequence: pages.length,
      }),
    );
  }
  return Buffer.concat(pages);
}
