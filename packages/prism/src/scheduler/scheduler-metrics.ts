// The scheduler's Prometheus metrics, on a registry of its own (like the loader's and the collector's: several
// schedulers in one process, tests, never collide): runs by pipeline and outcome, their durations, rows read and
// written, expectation failures, each pipeline's last success, and how far behind its schedules the scheduler is.
// They are fed from the run records every pass produces (the same records lens.runs keeps).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunRecord } from '../engine/run-history.js';

/** What the scheduler reports at scrape time (gauges computed when read). */
export interface SchedulerGauges {
  /** Seconds the longest-waiting due pipeline has been due without starting (0 when none waits). */
  lagSeconds(): number;
  /** The same per lane of the scheduler (`continuous`, `scheduled`). */
  laneLagSeconds?(): Readonly<Record<string, number>>;
  /** Pipelines whose latest run failed. */
  failing(): number;
}

/** Metrics of one scheduler. */
export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly runs = new Counter({
    name: 'lens_pipelines_runs_total',
    help: 'Recorded pipeline runs (those lens.runs keeps: an incremental run with no new input is not one), by outcome',
    labelNames: ['pipeline', 'status'] as const,
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: 'lens_pipelines_run_duration_seconds',
    help: "Duration of a recorded run (a failed run: its last attempt's)",
    labelNames: ['pipeline'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });
  readonly rowsRead = new Counter({
    name: 'lens_pipelines_rows_read_total',
    help: 'Input rows read by succeeded runs',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly rowsWritten = new Counter({
    name: 'lens_pipelines_rows_written_total',
    help: 'Rows written to the output table by succeeded runs',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly expectationFailedRows = new Counter({
    name: 'lens_pipelines_expectation_failed_rows_total',
    help: 'Output rows that failed an expectation, by expectation and its action (warn, drop, quarantine, fail)',
    labelNames: ['pipeline', 'expectation', 'action'] as const,
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: 'lens_pipelines_last_success_timestamp_seconds',
    help: 'End of the latest succeeded run of the pipeline in this process (Unix seconds)',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly passFailures = new Counter({
    name: 'lens_pipelines_pass_failures_total',
    help: 'Scheduler passes that failed as a whole (their runs could not be recorded in lens.runs)',
    registers: [this.registry],
  });
  #gauges: SchedulerGauges | undefined;

  constructor(options: { processMetrics?: boolean } = {}) {
    const gauges = (): SchedulerGauges | undefined => this.#gauges;
    new Gauge({
      name: 'lens_pipelines_scheduler_lag_seconds',
      help: 'How long the longest-waiting due pipeline has been due without starting (a long run holds back the rest of its lane)',
      registers: [this.registry],
      collect() {
        this.set(gauges()?.lagSeconds() ?? 0);
      },
    });
    new Gauge({
      name: 'lens_pipelines_lane_lag_seconds',
      help: "The scheduler's lag per lane: continuous datasets, and scheduled ones (every …, cron), which never wait for each other",
      labelNames: ['lane'] as const,
      registers: [this.registry],
      collect() {
        for (const [lane, lag] of Object.entries(gauges()?.laneLagSeconds?.() ?? {})) this.set({ lane }, lag);
      },
    });
    new Gauge({
      name: 'lens_pipelines_failing',
      help: 'Pipelines whose latest run failed (GET /health lists them)',
      registers: [this.registry],
      collect() {
        this.set(gauges()?.failing() ?? 0);
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'lens_pipelines_' });
  }

  /** The scheduler whose gauges are read at scrape time. */
  bind(gauges: SchedulerGauges): void {
    this.#gauges = gauges;
  }

  /** Counts a pass's run records. */
  observe(records: readonly RunRecord[]): void {
    for (const r of records) {
      this.runs.inc({ pipeline: r.pipeline, status: r.status });
      this.runDuration.observe({ pipeline: r.pipeline }, (r.endedAt.getTime() - r.startedAt.getTime()) / 1000);
      for (const e of r.expectations)
        this.expectationFailedRows.inc({ pipeline: r.pipeline, expectation: e.name, action: e.action }, e.failedRows);
      if (r.status !== 'succeeded') continue;
      this.rowsRead.inc({ pipeline: r.pipeline }, r.rowsIn);
      this.rowsWritten.inc({ pipeline: r.pipeline }, r.rowsOut);
      this.lastSuccess.set({ pipeline: r.pipeline }, r.endedAt.getTime() / 1000);
    }
  }
}
