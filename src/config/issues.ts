import type { z } from 'zod';
import type { ConfigIssue } from './types.js';

/** Turns zod issues into ours: file, dotted field path, what was expected. */
export function fromZod(file: string, error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({
    file,
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((i) => `${i.file}${i.path ? `: ${i.path}` : ''}: ${i.message}`)
    .join('\n');
}
