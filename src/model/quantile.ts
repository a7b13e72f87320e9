/** The `q` quantile of ascending values as the order statistic at ⌊q·(n − 1)⌋, no interpolation. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}
