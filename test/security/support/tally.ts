/** Counts the cases the attacker's suite tried, per category, for its closing line. */
export const CATEGORIES = ["tokens", "roles x operations", "cross-tenant", "direct subgraph", "limits", "injection", "production", "fuzz"] as const;
export type Category = (typeof CATEGORIES)[number];

export class Tally {
  private readonly counts = new Map<Category, number>(CATEGORIES.map((category) => [category, 0]));

  add(category: Category, cases = 1): void {
    this.counts.set(category, (this.counts.get(category) ?? 0) + cases);
  }

  get(category: Category): number {
    return this.counts.get(category) ?? 0;
  }

  /** `attacker's suite (sqlite): 812 cases — tokens 41, roles x operations 84, ...` */
  line(label: string): string {
    const total = [...this.counts.values()].reduce((sum, count) => sum + count, 0);
    return `attacker's suite (${label}): ${total} cases tried: ${CATEGORIES.map((category) => `${category} ${this.get(category)}`).join(", ")}`;
  }
}
