// Renders docs/errors.md from the catalogue; errors.test.ts fails when the committed doc is stale.
import { ERRORS } from './errors.ts';

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.retriable ? 'yes' : 'no'} | ${e.message} |`);
  return [
    '# Gateway error codes',
    '',
    'Every error the gateway itself produces is a JSON body `{"error":{"code":"SWY_…","message":"…"}}` with the',
    'HTTP status below. Upstream errors on provider-native routes are relayed as the provider sent them;',
    'on compat routes they are mapped to the client format with the same status. "Retriable" says whether',
    'sending the same request again may succeed.',
    '',
    'Generated from `gateway/src/errors.ts` (`node gateway/scripts/errors-doc.ts`); a test keeps it in sync.',
    '',
    '| code | status | retriable | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
