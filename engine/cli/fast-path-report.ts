import type { Engine } from '../engine.js';
import type { Location } from '../errors.js';
import { slotLocation } from '../expressions/evaluate.js';
import { slotFallback } from '../expressions/fast/explain.js';

/** An expression that runs on stock jsonata (same results, slower), and why. */
export interface StockExpression {
  location: Location;
  reason: string;
}

export interface FastPathReport {
  /** Expressions loaded (one per slot: an expression shared through a YAML alias counts per place). */
  expressions: number;
  /** How many of them run on the fast path. */
  fast: number;
  stock: StockExpression[];
}

/**
 * Which loaded expressions run on the fast path, and for the others what keeps them on stock
 * jsonata, at their place in the YAML: an author can rewrite a hot mapping (a lambda passed as a
 * value, say, into a function written in the `$map` call) or leave it, knowing the cost.
 */
export function fastPathReport(engine: Engine): FastPathReport {
  let expressions = 0;
  let fast = 0;
  const stock: StockExpression[] = [];
  for (const integration of engine.integrations.values()) {
    for (const slot of integration.slots.values()) {
      expressions++;
      const reason = slotFallback(slot);
      if (reason === undefined) {
        fast++;
        continue;
      }
      stock.push({ location: { ...slotLocation(slot.origin), file: slot.origin.file ?? integration.file }, reason });
    }
  }
  return { expressions, fast, stock };
}
