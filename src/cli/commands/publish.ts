/** `build publish`: sign, push, upload and notify for the built cells under --out. */
import type { ParsedArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { resolvePublishConfig } from '../../publish/config.js';
import { Redactor } from '../../publish/secrets.js';
import type { PublishError } from '../../publish/errors.js';
import { stableStringify } from '../../util/stable-json.js';

/** The error and its causes, one per line, for --verbose. */
function describe(error: PublishError, verbose: boolean): string {
  const lines = [`publish failed [${error.code}]: ${error.message}`];
  for (let c: unknown = error.cause, depth = 0; verbose && c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    lines.push(`  caused by: ${c instanceof Error ? `${c.name}: ${c.message}` : JSON.stringify(c)}`);
  }
  return lines.join('\n');
}

export async function publishCommand(args: ParsedArgs, controller: AbortController, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const redactor = new Redactor();
  const log = (line: string): void => { process.stderr.write(redactor.redact(line) + '\n'); };
  const config = resolvePublishConfig(args.values, args.common, env, redactor);
  if (!config.ok) { log(['publish: configuration errors:', ...config.error.map((p) => `  ${p}`)].join('\n')); return EXIT.usage; }
  const c = config.value;
  if (!c.sign && !c.registry && !c.s3 && !c.release && !c.webhook) {
    log('publish: nothing to do; pass --sign-key or --keyless, --registry, --s3, --release and/or --webhook');
    return EXIT.usage;
  }
  // Loaded on use: the SDKs behind publishing cost ~0.7 s of startup every other command skips.
  const { publishOutput } = await import('../../publish/publish.js');
  const result = await publishOutput(c, { log, signal: controller.signal });
  if (!result.ok) {
    log(describe(result.error, args.common.verbose));
    return result.error.code === 'config' ? EXIT.usage : EXIT.stepFailed;
  }
  if (args.common.json) process.stdout.write(redactor.redact(stableStringify(result.value)) + '\n');
  return EXIT.ok;
}
