/** The `tools/call` result cache: a bounded LRU with hit and miss counts for `/stats`. */

/** Hit and miss counts, and what the cache holds now. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  hitRatio: number;
  entries: number;
  capacity: number;
}

/**
 * Least-recently-used map. A JavaScript Map iterates in insertion order, so
 * re-inserting on every hit keeps the least recently used entry first, and
 * eviction takes `keys().next()`: O(1) per operation with no linked list of our own.
 * (A dependency such as lru-cache would do the same; 30 lines do not justify one.)
 */
export class ResultCache<V> {
  private readonly map = new Map<string, V>();
  private hits = 0;
  private misses = 0;

  /** @param capacity entries kept; 0 disables caching (every lookup is a miss, nothing is stored) */
  constructor(readonly capacity: number) {}

  /** The cached value, refreshed as most recent, or undefined (a miss, counted). */
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** Stores a value, evicting the least recently used entry when full. */
  set(key: string, value: V): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      hitRatio: lookups === 0 ? 0 : this.hits / lookups,
      entries: this.map.size,
      capacity: this.capacity,
    };
  }
}
