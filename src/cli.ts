/**
 * Entry point: parse, dispatch, map outcomes to exit codes. SIGINT/SIGTERM abort the run's one
 * AbortController: running commands get TERM then KILL, no new step starts, no cell is half-written.
 */
import { parseCommandLine, USAGE } from './cli/args.js';
import { EXIT, type ExitCode } from './cli/exit-codes.js';
import { buildCommand } from './cli/commands/build.js';
import { planCommand } from './cli/commands/plan.js';
import { digestCommand } from './cli/commands/digest.js';
import { smokeCommand } from './cli/commands/smoke.js';
import { cacheCommand } from './cli/commands/cache.js';
import { ciCommand } from './cli/commands/ci.js';
import { verifyCommand } from './cli/commands/verify.js';
import { publishCommand } from './cli/commands/publish.js';
import { verifySignatureCommand } from './cli/commands/verify-signature.js';
import { stepCommand } from './cli/commands/step.js';
import { initramfsCommand } from './cli/commands/initramfs.js';
import { assertNever } from './util/result.js';

async function main(argv: readonly string[]): Promise<ExitCode> {
  const args = parseCommandLine(argv, process.env);
  if (!args.ok) { process.stderr.write(`${args.error}\n\n${USAGE}\n`); return EXIT.usage; }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${sig}: stopping (running commands get TERM, then KILL)...\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { command } = args.value;
  switch (command) {
    case 'help': process.stdout.write(USAGE + '\n'); return EXIT.ok;
    case 'build': {
      // `build --publish`: release what was just built, only when the build succeeded.
      const built = await buildCommand(args.value, controller);
      return built === EXIT.ok && args.value.values.publish === true ? publishCommand(args.value, controller) : built;
    }
    case 'plan': return planCommand(args.value);
    case 'digest': return digestCommand(args.value, controller.signal);
    case 'smoke': return smokeCommand(args.value, controller);
    case 'cache': return cacheCommand(args.value);
    case 'publish': return publishCommand(args.value, controller);
    case 'verify-signature': return verifySignatureCommand(args.value, controller.signal);
    case 'ci': return ciCommand(args.value);
    case 'verify': return verifyCommand(args.value, controller);
    case 'step': return stepCommand(args.value, controller);
    case 'initramfs': return initramfsCommand(args.value, controller);
    default: return assertNever(command, 'command');
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = EXIT.stepFailed;
  },
);
