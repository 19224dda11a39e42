// Grouping rows per person for the kernels: rows already in (person, key) order are taken as they are; any
// other order is regrouped by a stable counting sort and each person's rows sorted by key (then tie columns).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupByPerson } from './person-order.js';

const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);

describe('groupByPerson', () => {
  it('takes rows already grouped and ordered as they are', () => {
    const key = f64([1, 2, 2, 0, 5]);
    const g = groupByPerson(Int32Array.from([1, 1, 1, 4, 4]), [key, f64([10, 11, 12, 13, 14])]);
    assert.deepEqual([...g.starts], [0, 3, 5]);
    assert.equal(g.persons, 2);
    assert.equal(g.cols[0], key, 'no copy');
  });

  it('regroups rows in any other order, keeping equal keys in scan order', () => {
    const pidx = Int32Array.from([2, 1, 2, 1, 3, 2]);
    const key = f64([5, 9, 1, 3, 0, 5]);
    const val = f64([0, 1, 2, 3, 4, 5]);
    const g = groupByPerson(pidx, [key, val]);
    assert.deepEqual([...g.starts], [0, 2, 5, 6]);
    assert.deepEqual([...g.cols[0]!], [3, 9, 1, 5, 5, 0]);
    assert.deepEqual([...g.cols[1]!], [3, 1, 2, 0, 5, 4]);
  });

  it('orders equal keys by the tie columns when asked', () => {
    const g = groupByPerson(Int32Array.from([1, 1, 1]), [f64([7, 7, 6]), f64([2, 1, 9])], [1]);
    assert.deepEqual([...g.cols[0]!], [6, 7, 7]);
    assert.deepEqual([...g.cols[1]!], [9, 1, 2]);
  });
});
