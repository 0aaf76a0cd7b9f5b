// Prints the sha256 of a gateway token for the config (tokens[].sha256); the secret itself is never
// stored. Usage:
//   node gateway/src/controls/hash-token.ts <secret>      hash a given secret
//   printf %s "$SECRET" | node gateway/src/controls/hash-token.ts -   read it from stdin (no shell history)
//   node gateway/src/controls/hash-token.ts --generate    make a new random secret, print it and its hash
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hashToken } from './auth.ts';

function main(argv: string[]): number {
  const arg = argv[0];
  if (arg === undefined || arg === '-h' || arg === '--help') {
    process.stderr.write('usage: hash-token.ts <secret> | - (stdin) | --generate\n');
    return arg === undefined ? 2 : 0;
  }
  if (arg === '--generate') {
    // 32 random bytes: the hash comparison is only as strong as the secret's entropy.
    const secret = `swy_${randomBytes(32).toString('base64url')}`;
    process.stdout.write(`secret: ${secret}\nsha256: ${hashToken(secret)}\n`);
    return 0;
  }
  // Trailing newlines from `echo` are not part of the secret.
  const secret = arg === '-' ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : arg;
  if (secret === '') {
    process.stderr.write('empty secret\n');
    return 2;
  }
  process.stdout.write(`${hashToken(secret)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
