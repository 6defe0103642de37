import type { FaultInjector, FaultPoint } from "../../subgraphs/governance/src/privacy/engine/faults";

/**
 * One-shot actions at named engine points, for a system whose privacy workers run in this
 * process: `onPoint.set(point, action)` runs `action` the next time a worker reaches `point`,
 * once. Pass `faults` to startTestSystem.
 */
export function oneShotFaults(): { onPoint: Map<FaultPoint, () => void>; faults: FaultInjector } {
  const onPoint = new Map<FaultPoint, () => void>();
  const faults: FaultInjector = {
    hit(point) {
      const action = onPoint.get(point);
      if (!action) return;
      onPoint.delete(point);
      action();
    },
  };
  return { onPoint, faults };
}
