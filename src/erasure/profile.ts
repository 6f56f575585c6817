/**
 * An erasure profile `(k, m, c)`: every stripe holds `dataShards · chunkSize` bytes of data and
 * is stored as `dataShards` data chunks plus `parityShards` parity chunks of `chunkSize` bytes.
 */
export interface ErasureProfile {
  readonly dataShards: number;
  readonly parityShards: number;
  readonly chunkSize: number;
}

export const DEFAULT_PROFILE: ErasureProfile = Object.freeze({
  dataShards: 4,
  parityShards: 2,
  chunkSize: 64 * 1024,
});

/** Upper bound of data bytes in one segment; the real size is rounded down to whole stripes. */
export const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

export class InvalidProfileError extends Error {
  readonly code = 'INVALID_PROFILE';
  override name = 'InvalidProfileError';
}

export function totalShards(profile: ErasureProfile): number {
  return profile.dataShards + profile.parityShards;
}

export function stripeSize(profile: ErasureProfile): number {
  return profile.dataShards * profile.chunkSize;
}

/** Data bytes per full segment: as many whole stripes as fit in `maxSegmentBytes` (at least one). */
export function segmentDataSize(profile: ErasureProfile, maxSegmentBytes = MAX_SEGMENT_BYTES): number {
  const stripe = stripeSize(profile);
  return Math.max(1, Math.floor(maxSegmentBytes / stripe)) * stripe;
}

/** Throws InvalidProfileError unless the profile is one the codec and layout can serve. */
export function validateProfile(profile: ErasureProfile): ErasureProfile {
  const { dataShards, parityShards, chunkSize } = profile;
  const whole = (v: number) => Number.isInteger(v) && v > 0;
  if (!whole(dataShards) || !whole(parityShards)) {
    throw new InvalidProfileError(`data and parity shard counts must be positive integers, got ${dataShards}+${parityShards}`);
  }
  if (dataShards + parityShards > 256) {
    throw new InvalidProfileError(`k+m must be at most 256, got ${dataShards + parityShards}`);
  }
  if (!whole(chunkSize) || chunkSize % 64 !== 0 || chunkSize > 16 * 1024 * 1024) {
    throw new InvalidProfileError(`chunk size must be a multiple of 64 bytes up to 16 MiB, got ${chunkSize}`);
  }
  return profile;
}
