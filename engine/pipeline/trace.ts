import type { Redactor } from '../transport/redact.js';
import type { ExecuteHooks, RemoteCallEvent, StepEvent } from '../transport/types.js';
import { errorSummary } from '../transport/auth.js';

/** Records each step and remote call for `debug` and for hooks, redacted; costs nothing when neither is on. */
export class Trace {
  readonly steps: StepEvent[] = [];
  readonly remoteCalls: RemoteCallEvent[] = [];
  private readonly started = Date.now();
  readonly enabled: boolean;
  /** Whether anyone takes remote-call events (debug or an onRemoteCall hook): each is a redacted copy of a whole exchange. */
  readonly remoteCallsWanted: boolean;

  constructor(
    private readonly redactor: Redactor,
    private readonly hooks: ExecuteHooks | undefined,
    private readonly keep: boolean,
  ) {
    this.enabled = keep || Boolean(hooks?.onStep || hooks?.onRemoteCall);
    this.remoteCallsWanted = keep || Boolean(hooks?.onRemoteCall);
  }

  /**
   * Runs one pipeline step, recording its input, output, error and duration. Untraced, it is the
   * step itself: no async frame and no extra promise per step (callers await either way).
   */
  step<T>(name: string, input: unknown, run: () => Promise<T> | T): Promise<T> | T {
    return this.enabled ? this.traced(name, input, run) : run();
  }

  private async traced<T>(name: string, input: unknown, run: () => Promise<T> | T): Promise<T> {
    const started = Date.now();
    try {
      const output = await run();
      this.record({ step: name, durationMs: Date.now() - started, input: this.redactor.value(input), output: this.redactor.value(output) });
      return output;
    } catch (error) {
      const summary = errorSummary(error);
      this.record({ step: name, durationMs: Date.now() - started, input: this.redactor.value(input), error: { code: summary.code, message: this.redactor.text(summary.message) } });
      throw error;
    }
  }

  private record(event: StepEvent): void {
    if (this.keep) this.steps.push(event);
    this.hooks?.onStep?.(event);
  }

  /** The sink for remote calls (already redacted by the transport). */
  readonly remoteCall = (event: RemoteCallEvent): void => {
    if (this.keep) this.remoteCalls.push(event);
    this.hooks?.onRemoteCall?.(event);
  };

  /** The `debug` block of `truto_response_format=debug`. */
  debug(): { steps: StepEvent[]; remote_calls: RemoteCallEvent[]; total_ms: number } {
    return { steps: this.steps, remote_calls: this.remoteCalls, total_ms: Date.now() - this.started };
  }
}
