/**
 * A bucket's lifecycle configuration as shardgate keeps it (PutBucketLifecycleConfiguration's
 * body, validated). Plain JSON-safe values: the metadata store keeps the rules as a JSON
 * document, and GetBucketLifecycleConfiguration writes them back in the form they were given.
 */

/** One object tag (S3's `<Tag><Key/><Value/></Tag>`). */
export interface ObjectTag {
  readonly key: string;
  readonly value: string;
}

/**
 * Which objects a rule applies to, in the XML form it was written in: the legacy top-level
 * `<Prefix>` of a rule, or a `<Filter>` that is empty (every object), holds one predicate, or an
 * `<And>` of several.
 */
export type LifecycleFilter =
  | { readonly kind: 'legacy-prefix'; readonly prefix: string }
  | { readonly kind: 'all' }
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'tag'; readonly tag: ObjectTag }
  | { readonly kind: 'size-greater-than'; readonly bytes: number }
  | { readonly kind: 'size-less-than'; readonly bytes: number }
  | {
    readonly kind: 'and';
    readonly prefix?: string;
    readonly tags: readonly ObjectTag[];
    readonly sizeGreaterThan?: number;
    readonly sizeLessThan?: number;
  };

/** `<Expiration>`: a number of (lifecycle) days after creation, or a fixed date (midnight UTC). */
export type LifecycleExpiration =
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'date'; readonly dateMs: number };

export interface LifecycleRule {
  /** Unique within the configuration, at most 255 characters (generated when the client gave none). */
  readonly id: string;
  readonly enabled: boolean;
  readonly filter: LifecycleFilter;
  readonly expiration: LifecycleExpiration | null;
  /** `<AbortIncompleteMultipartUpload><DaysAfterInitiation>`, null when the rule has none. */
  readonly abortIncompleteUploadDays: number | null;
}

/** What a rule's filter looks at: the object's key, size and tags. */
export interface LifecycleObject {
  readonly key: string;
  readonly size: number;
  readonly tags: readonly ObjectTag[];
  readonly createdAt: Date;
}

/** When an object expires, and by which rule (the `x-amz-expiration` header's two fields). */
export interface LifecycleExpiry {
  readonly at: Date;
  readonly ruleId: string;
}
