/** Machine-readable rendering: the plan result as it is. */
import { PlanResult } from '../types';

export function renderJson(result: PlanResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
