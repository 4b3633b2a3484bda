import { isIPv4, isIPv6 } from 'node:net';

/**
 * Strict dotted-quad only. Shorthand forms such as `127.1` or `0x7f.0.0.1` are not accepted here:
 * URL hosts are normalised to dotted quads by the WHATWG URL parser before they reach us, and a
 * resolver never answers in those forms.
 */
export function parseIPv4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  const parts = text.split('.').map((p) => Number(p));
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

/** Eight 16-bit groups, or undefined when the text is not an IPv6 literal. A zone (`%eth0`) is ignored. */
export function parseIPv6(text: string): number[] | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const noZone = bare.split('%')[0] ?? '';
  if (!isIPv6(noZone)) return undefined;
  let body = noZone;
  const tail: number[] = [];
  // A trailing dotted quad (::ffff:10.0.0.1, 64:ff9b::192.0.2.1) stands for the last two groups.
  const lastColon = body.lastIndexOf(':');
  const maybeV4 = body.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIPv4(maybeV4);
    if (v4 === undefined) return undefined;
    tail.push(v4 >>> 16, v4 & 0xffff);
    body = body.slice(0, lastColon + 1);
    // "::" before the quad must stay "::"; a single trailing ":" after a group is just the separator.
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const groupsWanted = 8 - tail.length;
  const toGroups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  let groups: number[];
  const gap = body.indexOf('::');
  if (gap >= 0) {
    const head = toGroups(body.slice(0, gap));
    const rest = toGroups(body.slice(gap + 2));
    const zeros = groupsWanted - head.length - rest.length;
    if (zeros < 0) return undefined;
    groups = [...head, ...new Array<number>(zeros).fill(0), ...rest];
  } else {
    groups = toGroups(body);
  }
  if (groups.length !== groupsWanted || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) {
    return undefined;
  }
  return [...groups, ...tail];
}
