import type { RecordingSink } from '@gaitwatch/dsp';
import { SENSOR_IDS, sensorCode, type SensorId } from '@gaitwatch/protocol/core';
import { ROW_VALUES } from './parse-protocol.ts';

/**
 * Counts the rows of a recording that go back in time: earlier than the
 * previous row of their sensor. DESIGN.md wants rows in time order per
 * sensor; the analyzer drops a row at or before its sensor's last accepted
 * time (or holds a far-off one as a clock fault), so a shuffled or reversed
 * file gives few strides and a summary full of `duplicates` and
 * `clockOutliers`. Counted here, in the CLI, so `analyze` can say why.
 *
 * Per sensor in file order: the parse thread regroups rows by sensor but keeps
 * each sensor's order (parse-worker.ts), so both paths count the same. Against
 * the previous row, not the latest time so far: one row far ahead (a clock
 * glitch the analyzer absorbs) counts once, not every row after it.
 */
export class TimeOrderCheck {
  /** The previous row's t_us per sensor code, µs (NaN: none yet). */
  private readonly previousUs = new Float64Array(SENSOR_IDS.length).fill(Number.NaN);
  /** Rows earlier than their sensor's previous row, per sensor code. */
  private readonly backwards = new Array<number>(SENSOR_IDS.length).fill(0);
  /** Each sensor's first such row and the row before it, µs. */
  private readonly first: ({ tUs: number; afterUs: number } | undefined)[] = SENSOR_IDS.map(() => undefined);

  /** Rows that went back in time, all sensors. */
  get count(): number {
    return this.backwards.reduce((a, b) => a + b, 0);
  }

  /** `sink`, with every row it is given checked first (one comparison a row: nothing on the hot path allocates). */
  wrap(sink: RecordingSink): RecordingSink {
    return {
      pushSample: (sensor, tUs, values) => {
        this.check(sensorCode(sensor), tUs);
        sink.pushSample(sensor, tUs, values);
      },
      pushRows: (sensor, buf, offset, count) => {
        const code = sensorCode(sensor);
        for (let i = 0; i < count; i++) this.check(code, buf[offset + i * ROW_VALUES]!);
        sink.pushRows(sensor, buf, offset, count);
      },
      finish: (parse) => sink.finish(parse),
    };
  }

  private check(code: number, tUs: number): void {
    const previousUs = this.previousUs[code]!;
    // False while previousUs is NaN (the sensor's first row).
    if (tUs < previousUs) {
      const backwards = this.backwards[code]! + 1;
      this.backwards[code] = backwards;
      if (backwards === 1) this.first[code] = { tUs, afterUs: previousUs };
    }
    this.previousUs[code] = tUs;
  }

  /**
   * One line for stderr, or undefined when every sensor's rows were in time
   * order. `usedRows`: the rows the analysis kept (its summary's samples), to
   * show what the disorder cost. Sensors in SENSOR_IDS order, whatever order
   * they came in, so one thread and the parse thread print the same line.
   */
  describe(name: string, rows: number, usedRows: number | undefined): string | undefined {
    const total = this.count;
    if (total === 0) return undefined;
    const perSensor = SENSOR_IDS.flatMap((sensor: SensorId, code) => (this.backwards[code]! > 0 ? [`${sensor} ${this.backwards[code]}`] : []));
    const code = this.backwards.findIndex((n) => n > 0);
    const first = this.first[code]!;
    const used = usedRows === undefined ? '' : ` (it used ${usedRows} of ${rows} rows)`;
    return (
      `gaitwatch analyze: ${total} row(s) of ${name} were earlier than the previous row of their sensor ` +
      `(${perSensor.join(', ')}; first: ${SENSOR_IDS[code]} t_us ${first.tUs} after ${first.afterUs}): ` +
      `rows must be in time order per sensor, and the analysis drops rows out of order as stale${used}, so its strides and alerts miss them; sort the file by t_us`
    );
  }
}
