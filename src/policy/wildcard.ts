/**
 * IAM's wildcard match: `*` stands for any run of characters (none included), `?` for exactly one;
 * there is no escape. Linear in practice: the classic two-pointer glob match with one backtrack
 * point, so a pattern like `a*a*a*…b` cannot blow up. Characters are UTF-16 code units, as IAM
 * compares JavaScript strings; `ignoreCase` folds both sides (action names are case-insensitive,
 * resource ARNs and condition values are not).
 */
export function matchesWildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let patternIndex = 0;
  let valueIndex = 0;
  let starIndex = -1;
  let starValueIndex = 0;
  while (valueIndex < v.length) {
    const wanted = p[patternIndex];
    if (wanted === '*') {
      starIndex = patternIndex++;
      starValueIndex = valueIndex;
    } else if (wanted !== undefined && (wanted === '?' || wanted === v[valueIndex])) {
      patternIndex++;
      valueIndex++;
    } else if (starIndex >= 0) {
      patternIndex = starIndex + 1;
      valueIndex = ++starValueIndex;
    } else {
      return false;
    }
  }
  while (p[patternIndex] === '*') patternIndex++;
  return patternIndex === p.length;
}
