/**
 * A small in-process Prometheus registry: counters, gauges and histograms
 * with labels, rendered in the text exposition format 0.0.4. It replaces a
 * client library on purpose: bob needs seven metric families, and the format
 * is a page of spec (metric-text.ts).
 *
 * Like client_golang, a metric without labels is exposed from registration on
 * (value 0), a labelled one only once a series exists; series are rendered
 * sorted by label values so the output is stable.
 */
import { runtimeError } from './errors.ts';
import { formatLabels, formatSampleValue, escapeHelp, LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from './metric-text.ts';

/** Label values of one series: exactly the metric's label names. */
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

export interface MetricOptions<L extends string> {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`, unique in the registry. */
  readonly name: string;
  readonly help: string;
  /** Omit for a metric without labels (then pass `{}` as labels). */
  readonly labelNames?: readonly L[];
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds, strictly increasing and finite; `+Inf` is implied. */
  readonly buckets: readonly number[];
}

/** A monotonically increasing count. */
export interface Counter<L extends string> {
  /** Adds `by` (default 1; must be >= 0). */
  inc(labels: LabelValues<L>, by?: number): void;
  get(labels: LabelValues<L>): number | undefined;
  /** Drops one series; true if it existed. */
  remove(labels: LabelValues<L>): boolean;
}

/** A value that goes up and down. */
export interface Gauge<L extends string> {
  set(labels: LabelValues<L>, value: number): void;
  inc(labels: LabelValues<L>, by?: number): void;
  dec(labels: LabelValues<L>, by?: number): void;
  get(labels: LabelValues<L>): number | undefined;
  remove(labels: LabelValues<L>): boolean;
}

/** Observations counted into buckets. */
export interface Histogram<L extends string> {
  observe(labels: LabelValues<L>, value: number): void;
  get(labels: LabelValues<L>): HistogramSnapshot | undefined;
  remove(labels: LabelValues<L>): boolean;
}

/** One histogram series: cumulative bucket counts (as exposed), sum and count. */
export interface HistogramSnapshot {
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  readonly sum: number;
  readonly count: number;
}

/** The registry; render() gives the /metrics body. */
export interface MetricsRegistry {
  /** Throws RUNTIME_METRIC_INVALID for a bad or duplicate name or label name. */
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L>;
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L>;
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L>;
  /**
   * Drops every series, of any metric, whose labels include all of `labels`
   * (e.g. `{ kind, name, namespace }` of a deleted object). Metrics lacking
   * one of these label names are untouched; an empty selector drops nothing.
   * Returns the number of series dropped.
   */
  deleteSeries(labels: Readonly<Record<string, string>>): number;
  /** The text exposition (format 0.0.4) of every metric. */
  render(): string;
}

type MetricType = 'counter' | 'gauge' | 'histogram';

interface Series<State> {
  readonly values: readonly string[];
  state: State;
}

interface HistogramState {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Series storage and rendering shared by the three metric types. */
class Family<State> {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly series = new Map<string, Series<State>>();
  readonly #initial: () => State;
  readonly #lines: (name: string, labels: readonly (readonly [string, string])[], state: State) => string[];

  constructor(
    options: MetricOptions<string>,
    type: MetricType,
    initial: () => State,
    lines: (name: string, labels: readonly (readonly [string, string])[], state: State) => string[],
  ) {
    this.name = options.name;
    this.help = options.help;
    this.type = type;
    this.labelNames = options.labelNames ?? [];
    this.#initial = initial;
    this.#lines = lines;
    if (this.labelNames.length === 0) this.series.set('[]', { values: [], state: initial() });
  }

  /** The series for `labels`, created on first use. */
  at(labels: Readonly<Record<string, string>>): Series<State> {
    const values = this.#toValues(labels);
    const key = JSON.stringify(values);
    let series = this.series.get(key);
    if (series === undefined) {
      series = { values, state: this.#initial() };
      this.series.set(key, series);
    }
    return series;
  }

  find(labels: Readonly<Record<string, string>>): Series<State> | undefined {
    return this.series.get(JSON.stringify(this.#toValues(labels)));
  }

  remove(labels: Readonly<Record<string, string>>): boolean {
    return this.series.delete(JSON.stringify(this.#toValues(labels)));
  }

  deleteMatching(selector: readonly (readonly [string, string])[]): number {
    const indexes = selector.map(([name]) => this.labelNames.indexOf(name));
    if (indexes.some((index) => index < 0)) return 0;
    let dropped = 0;
    for (const [key, series] of this.series) {
      if (selector.every(([, value], position) => series.values[indexes[position] ?? -1] === value)) {
        this.series.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  render(): string {
    if (this.series.size === 0) return '';
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    const sorted = [...this.series.values()].sort((a, b) => compareValues(a.values, b.values));
    for (const series of sorted) {
      const labels = this.labelNames.map((name, index): [string, string] => [name, series.values[index] ?? '']);
      lines.push(...this.#lines(this.name, labels, series.state));
    }
    return `${lines.join('\n')}\n`;
  }

  #toValues(labels: Readonly<Record<string, string>>): string[] {
    const given = Object.keys(labels);
    const values = this.labelNames.map((name) => labels[name]);
    if (given.length !== this.labelNames.length || values.some((value) => typeof value !== 'string')) {
      throw runtimeError('RUNTIME_METRIC_INVALID', `${this.name} takes labels [${this.labelNames.join(',')}], got [${given.join(',')}]`);
    }
    return values.map((value) => value ?? '');
  }
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < a.length; index++) {
    const left = a[index] ?? '';
    const right = b[index] ?? '';
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}

function sampleLines(name: string, labels: readonly (readonly [string, string])[], value: number): string[] {
  return [`${name}${formatLabels(labels)} ${formatSampleValue(value)}`];
}

/** Checks the value of inc/dec/set/observe: a NaN would poison the series for good. */
function assertNumber(metric: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) throw runtimeError('RUNTIME_METRIC_INVALID', `${metric}: value must be a number`);
}

/** An empty registry. */
export function createMetricsRegistry(): MetricsRegistry {
  const families: Family<unknown>[] = [];
  const sampleNames = new Set<string>();

  const register = <State>(family: Family<State>, extraNames: readonly string[]): Family<State> => {
    const names = [family.name, ...extraNames];
    if (!METRIC_NAME_PATTERN.test(family.name)) throw runtimeError('RUNTIME_METRIC_INVALID', `invalid metric name "${family.name}"`);
    for (const name of names) {
      if (sampleNames.has(name)) throw runtimeError('RUNTIME_METRIC_INVALID', `metric name "${name}" is already registered`);
    }
    const seen = new Set<string>();
    for (const label of family.labelNames) {
      const reserved = label.startsWith('__') || (family.type === 'histogram' && label === 'le');
      if (!LABEL_NAME_PATTERN.test(label) || reserved || seen.has(label)) {
        throw runtimeError('RUNTIME_METRIC_INVALID', `${family.name}: invalid, reserved or duplicate label name "${label}"`);
      }
      seen.add(label);
    }
    for (const name of names) sampleNames.add(name);
    families.push(family as Family<unknown>);
    return family;
  };

  return {
    counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
      const family = register(new Family<number>(options, 'counter', () => 0, sampleLines), []);
      return {
        inc(labels, by = 1) {
          assertNumber(family.name, by);
          if (by < 0) throw runtimeError('RUNTIME_METRIC_INVALID', `${family.name}: a counter cannot decrease`);
          family.at(labels).state += by;
        },
        get: (labels) => family.find(labels)?.state,
        remove: (labels) => family.remove(labels),
      };
    },
    gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
      const family = register(new Family<number>(options, 'gauge', () => 0, sampleLines), []);
      return {
        set(labels, value) {
          assertNumber(family.name, value);
          family.at(labels).state = value;
        },
        inc(labels, by = 1) {
          assertNumber(family.name, by);
          family.at(labels).state += by;
        },
        dec(labels, by = 1) {
          assertNumber(family.name, by);
          family.at(labels).state -= by;
        },
        get: (labels) => family.find(labels)?.state,
        remove: (labels) => family.remove(labels),
      };
    },
    histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
      const bounds = toBounds(options.name, options.buckets);
      const lines = (name: string, labels: readonly (readonly [string, string])[], state: HistogramState): string[] => {
        const result: string[] = [];
        let cumulative = 0;
        bounds.forEach((bound, index) => {
          cumulative += state.counts[index] ?? 0;
          result.push(`${name}_bucket${formatLabels([...labels, ['le', formatSampleValue(bound)]])} ${cumulative}`);
        });
        result.push(`${name}_bucket${formatLabels([...labels, ['le', '+Inf']])} ${state.count}`);
        result.push(`${name}_sum${formatLabels(labels)} ${formatSampleValue(state.sum)}`);
        result.push(`${name}_count${formatLabels(labels)} ${state.count}`);
        return result;
      };
      const initial = (): HistogramState => ({ counts: bounds.map(() => 0), sum: 0, count: 0 });
      const family = register(
        new Family<HistogramState>(options, 'histogram', initial, lines),
        [`${options.name}_bucket`, `${options.name}_sum`, `${options.name}_count`],
      );
      return {
        observe(labels, value) {
          assertNumber(family.name, value);
          const state = family.at(labels).state;
          // Buckets are upper-inclusive (le = "less or equal").
          const index = bounds.findIndex((bound) => value <= bound);
          if (index >= 0) state.counts[index] = (state.counts[index] ?? 0) + 1;
          state.sum += value;
          state.count += 1;
        },
        get(labels) {
          const state = family.find(labels)?.state;
          if (state === undefined) return undefined;
          let cumulative = 0;
          const buckets = bounds.map((le, index) => ({ le, count: (cumulative += state.counts[index] ?? 0) }));
          return { buckets: [...buckets, { le: Infinity, count: state.count }], sum: state.sum, count: state.count };
        },
        remove: (labels) => family.remove(labels),
      };
    },
    deleteSeries(labels) {
      const selector = Object.entries(labels);
      if (selector.length === 0) return 0;
      return families.reduce((dropped, family) => dropped + family.deleteMatching(selector), 0);
    },
    render: () => families.map((family) => family.render()).join(''),
  };
}

function toBounds(name: string, buckets: readonly number[]): number[] {
  const bounds = buckets.at(-1) === Infinity ? buckets.slice(0, -1) : [...buckets];
  const increasing = bounds.every((bound, index) => Number.isFinite(bound) && (index === 0 || bound > (bounds[index - 1] ?? -Infinity)));
  if (!increasing) throw runtimeError('RUNTIME_METRIC_INVALID', `${name}: buckets must be finite and strictly increasing`);
  return bounds;
}
