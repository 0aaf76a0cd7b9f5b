import { writeFileSync } from 'node:fs';
import { generateRecordTypes } from '../src/typegen.ts';
writeFileSync(new URL('../src/records.generated.ts', import.meta.url), generateRecordTypes());
