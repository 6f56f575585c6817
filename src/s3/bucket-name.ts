/**
 * S3's general-purpose bucket naming rules: 3–63 characters of lower-case letters, digits, dots
 * and hyphens, starting and ending with a letter or digit, no `..`, `.-` or `-.`, not an IPv4 address, none of
 * AWS's reserved prefixes and suffixes. Returns the reason a name is refused, or null.
 */
export function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return 'Bucket names must be between 3 and 63 characters long.';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'Bucket names can consist only of lowercase letters, numbers, dots and hyphens, and must begin and end with a letter or number.';
  }
  if (name.includes('..')) return 'Bucket names must not contain two adjacent periods.';
  if (name.includes('.-') || name.includes('-.')) return 'Bucket names must not contain a period next to a hyphen.';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'Bucket names must not be formatted as an IP address.';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return 'Bucket names must not start with a reserved prefix.';
  if (/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)) return 'Bucket names must not end with a reserved suffix.';
  return null;
}
