import { Command } from '@oclif/core';
import { InputError } from '../errors.js';

/**
 * Shared error handling: an InputError (bad file, bad flag value) prints one line and exits 2 with
 * no stack trace; anything else is a bug and keeps oclif's default handling (exit 1).
 */
export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof InputError) {
      this.logToStderr(`Error: ${err.message}`);
      this.exit(2);
    }
    // oclif's own flag-parsing errors are usage errors: exit code 2 as well.
    const name = (err as { constructor?: { name?: string } }).constructor?.name ?? '';
    if (/Flag|Arg|Parse|Option|Required|Validation/i.test(name) && !('oclif' in err && (err as any).oclif?.exit === 0)) {
      this.logToStderr(`Error: ${oneLine(err.message)}`);
      this.exit(2);
    }
    return super.catch(err);
  }
}

/** oclif's parse errors span several lines with a "See more help" footer; keep the substance on one line. */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^See more help|^The following error occurred:?$/.test(l))
    .join(' ');
}
