import { isIP } from 'node:net';

/** An IPv4 or IPv6 network, as `aws:SourceIp` conditions name them (`192.0.2.0/24`, `2001:db8::/32`, or one address). */
export interface IpRange {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefixLength: number;
}

/** `a.b.c.d[/n]` or an IPv6 address `[/n]` → the range; null when it is neither. Host bits may be set (IAM ignores them). */
export function parseIpRange(text: string): IpRange | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family !== 4 && family !== 6) return null;
  const bits = family === 4 ? 32 : 128;
  let prefixLength = bits;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > bits) return null;
    prefixLength = Number(lengthText);
  }
  return { family, network: addressBits(address, family), prefixLength };
}

/** Whether `address` (as a socket reports it; an IPv4-mapped IPv6 address counts as IPv4) is inside `range`. */
export function ipInRange(address: string, range: IpRange): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1]! : address;
  const family = isIP(plain);
  if (family !== range.family) return false;
  const bits = family === 4 ? 32 : 128;
  const shift = BigInt(bits - range.prefixLength);
  return addressBits(plain, family) >> shift === range.network >> shift;
}

function addressBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
  // Expand `::` and an embedded dotted IPv4 tail into eight 16-bit groups.
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = addressBits(dotted[1]!, 4);
    text = `${text.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}
