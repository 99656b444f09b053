import { PlanResult } from '../types';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderText } from './text';

export type PlanFormat = 'text' | 'json' | 'markdown';
export const PLAN_FORMATS: readonly PlanFormat[] = ['text', 'json', 'markdown'];

export function renderPlan(result: PlanResult, format: PlanFormat): string {
  switch (format) {
    case 'text': return renderText(result);
    case 'json': return renderJson(result);
    case 'markdown': return renderMarkdown(result);
  }
}

export { renderJson, renderMarkdown, renderText };
export { renderReviewJson, renderReviewMarkdown, reviewMarker } from './review-markdown';
