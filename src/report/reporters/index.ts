import { githubReporter } from './github.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { markdownReporter } from './markdown.js';
import type { ReportFormat, Reporter } from './types.js';

export { REPORT_FORMATS, type ReportFormat, type Reporter, type RenderedReport } from './types.js';

export const REPORTERS: Record<ReportFormat, Reporter> = {
  markdown: markdownReporter,
  json: jsonReporter,
  junit: junitReporter,
  github: githubReporter,
};
