// StrykerJS configuration for `npm run mutate` (run from the repository root by mutate/run.sh).
// Not part of CI: all the core files take hours at concurrency 1; run one file at a time
// (`npm run mutate -- --mutate src/optim/sgd.ts`). See README "Mutation testing".

/**
 * Mutants that no test can kill because the program behaves the same with them, each with the
 * reason. Stryker still runs them (it cannot skip one mutant of a node and keep the others);
 * `node mutate/score.mjs` takes them out of the score and reports any entry that stopped matching.
 * An entry names the file, the mutator, the source text replaced and its replacement (and the
 * line, where that text is too common to name one place).
 */
export const equivalentMutants = [
  // ---- src/ops/arithmetic.ts ----
  {
    file: 'src/ops/arithmetic.ts', mutator: 'EqualityOperator', original: 'p >= q', replacement: 'p > q',
    reason: 'maximum on a tie: p and q are equal, so returning q instead of p gives the same value',
  },
  {
    file: 'src/ops/arithmetic.ts', mutator: 'EqualityOperator', original: 'p <= q', replacement: 'p < q',
    reason: 'minimum on a tie: p and q are equal, so returning q instead of p gives the same value',
  },
  {
    file: 'src/ops/arithmetic.ts', mutator: 'EqualityOperator', original: '(x - y) * sign > 0', replacement: '(x - y) * sign >= 0',
    reason: 'x === y is handled first, and x − y is 0 only when x === y (NaN compares false both ways)',
  },
  {
    file: 'src/ops/arithmetic.ts', mutator: 'ArithmeticOperator', original: '(x - y) * sign', replacement: '(x - y) / sign',
    reason: 'sign is 1 or −1, so multiplying and dividing by it are the same',
  },
  // ---- src/ops/reduce.ts ----
  {
    file: 'src/ops/reduce.ts', mutator: 'ConditionalExpression', original: 'y !== y', replacement: 'true',
    reason: 'isHit: x is NaN only in a group whose extreme y is NaN too (NaN propagates), so the y test never decides',
  },
  {
    file: 'src/ops/reduce.ts', mutator: 'ConditionalExpression', original: 'a.ndim === 0', replacement: 'false',
    reason: 'argmax/argmin of a 0-d tensor: nd.argReduce over axis 0 of a 0-d array is the whole array, position 0 either way',
  },
  // ---- src/ops/linalg.ts ----
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'needs[0]', replacement: 'true',
    reason: 'the gradient of an input that does not require one is computed but discarded by backward: only work changes',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'needs[1]', replacement: 'true',
    reason: 'the gradient of an input that does not require one is computed but discarded by backward: only work changes',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'BlockStatement', original: '{ return p.length === q.length && p.every((d, i) => d === q[i]); }', replacement: '{}',
    reason: "sameShape only decides whether to reshape to `full`: the shapes compared differ only in length (1-D operands' dropped axes), so reshaping equal shapes or skipping the test gives the same array",
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'p.length === q.length && p.every((d, i) => d === q[i])', replacement: 'false',
    reason: "sameShape only decides whether to reshape to `full`: the shapes compared differ only in length (1-D operands' dropped axes), so reshaping equal shapes or skipping the test gives the same array",
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'MethodExpression', original: 'p.every((d, i) => d === q[i])', replacement: 'p.some((d, i) => d === q[i])',
    reason: "sameShape only decides whether to reshape to `full`: the shapes compared differ only in length (1-D operands' dropped axes), so reshaping equal shapes or skipping the test gives the same array",
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ArrowFunction', original: '(d, i) => d === q[i]', replacement: '() => undefined',
    reason: "sameShape only decides whether to reshape to `full`: the shapes compared differ only in length (1-D operands' dropped axes), so reshaping equal shapes or skipping the test gives the same array",
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'd === q[i]', replacement: 'true',
    reason: "sameShape only decides whether to reshape to `full`: the shapes compared differ only in length (1-D operands' dropped axes), so reshaping equal shapes or skipping the test gives the same array",
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'd === q[i]', replacement: 'false',
    reason: "sameShape only decides whether to reshape to `full`: the shapes compared differ only in length (1-D operands' dropped axes), so reshaping equal shapes or skipping the test gives the same array",
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'EqualityOperator', original: 'd === q[i]', replacement: 'd !== q[i]',
    reason: "sameShape only decides whether to reshape to `full`: the shapes compared differ only in length (1-D operands' dropped axes), so reshaping equal shapes or skipping the test gives the same array",
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ArithmeticOperator', original: 'v.shape[0] * v.stride[0]', replacement: 'v.shape[0] / v.stride[0]',
    reason: 'asRow: the stride of a length-1 axis is never used to address an element',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'x.ndim === 0', replacement: 'false',
    reason: 'linear: for a 0-d x, x.shape[-1] is undefined and differs from inF, so the same ShapeError is thrown',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'EqualityOperator', original: 'row < y.length', replacement: 'row <= y.length',
    reason: 'the bias loop over a typed array: the extra row writes out of bounds, which typed arrays ignore',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'BooleanLiteral', original: 'true', replacement: 'false', line: 70,
    reason: 'matmul forward into a fresh zero array: adding the product to zeros is overwriting with it',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'outF > 0', replacement: 'true',
    reason: 'with outF = 0 the output is empty and the bias loops run zero times',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'EqualityOperator', original: 'outF > 0', replacement: 'outF >= 0',
    reason: 'with outF = 0 the output is empty and the bias loops run zero times',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'nd.dtypeOf(bias.data) === dtype', replacement: 'true',
    reason: 'TypedArray.set converts float32 to float64 element by element, as the loop does',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'ConditionalExpression', original: 'nd.dtypeOf(bias.data) === dtype', replacement: 'false',
    reason: 'the element loop copies the same values as TypedArray.set',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'EqualityOperator', original: 'nd.dtypeOf(bias.data) === dtype', replacement: 'nd.dtypeOf(bias.data) !== dtype',
    reason: 'TypedArray.set and the element loop copy the same values, whichever dtypes',
  },
  {
    file: 'src/ops/linalg.ts', mutator: 'EqualityOperator', original: 'j < outF', replacement: 'j <= outF',
    reason: "the extra j writes b[outF] (undefined) into the next row's first element, which that row then overwrites (the last one out of bounds, ignored)",
  },
  // ---- src/ops/loss.ts ----
  {
    file: 'src/ops/loss.ts', mutator: 'ConditionalExpression', original: 'nd.dtypeOf(losses) === dtype', replacement: 'false',
    reason: "reduceLosses 'none': copying losses that already have the output dtype gives equal values in a fresh array nobody else holds",
  },
  {
    file: 'src/ops/loss.ts', mutator: 'ConditionalExpression', original: "reduction === 'none'", replacement: 'false',
    reason: "pointwise 'none': computing each loss in float64 and rounding once to the output dtype equals computing it in that dtype (one rounding of the same double)",
  },
  {
    file: 'src/ops/loss.ts', mutator: 'ConditionalExpression', original: 'x >= 0', replacement: 'true',
    reason: 'the logistic for x < 0 as 1/(1 + e^{−x}): the same value (0 when e^{−x} overflows, as e^x/(1 + e^x) underflows to)',
  },
  {
    file: 'src/ops/loss.ts', mutator: 'EqualityOperator', original: 'x >= 0', replacement: 'x > 0',
    reason: 'the logistic at x = 0 is 1/2 in both forms',
  },
  {
    file: 'src/ops/loss.ts', mutator: 'ConditionalExpression', original: "typeof v !== 'number'", replacement: 'false',
    reason: 'Number.isInteger is false for every non-number, so the next test refuses it the same way',
  },
  {
    file: 'src/ops/loss.ts', mutator: 'EqualityOperator', original: 'r < rows', replacement: 'r <= rows',
    reason: 'the loop over the typed array picked: the extra row writes out of bounds, which typed arrays ignore',
  },
  // ---- src/activations/rules.ts ----
  {
    file: 'src/activations/rules.ts', mutator: 'EqualityOperator', original: 'g > 0', replacement: 'g >= 0',
    reason: 'guided at g = 0 passes g, which is 0: the same as blocking it',
  },
  {
    file: 'src/activations/rules.ts', mutator: 'ConditionalExpression', original: 'peak === undefined', replacement: 'false',
    reason: 'an undefined peak fails the next test too: !(undefined > 0) is true',
  },
  // ---- src/activations/registry.ts ----
  {
    file: 'src/activations/registry.ts', mutator: 'ConditionalExpression', original: '(options as Record<string, unknown>)[key] !== undefined', replacement: 'true',
    reason: 'kernelFor: a kernel made from options whose parameters are all undefined is the default kernel (the factory fills in the same defaults)',
  },
  {
    file: 'src/activations/registry.ts', mutator: 'ConditionalExpression', original: 'defaultKernel === undefined', replacement: 'true',
    reason: 'the default kernel is a cache: making it again gives an equal kernel',
  },
  {
    file: 'src/activations/registry.ts', mutator: 'ConditionalExpression', original: 'cached !== undefined', replacement: 'false',
    reason: 'objectChoices is a cache: resolving the same rule object again gives an equal rule and label',
  },
  {
    file: 'src/activations/registry.ts', mutator: 'CallExpression', original: 'objectChoices.set(choice, resolved);', replacement: ';',
    reason: 'objectChoices is a cache: resolving the same rule object again gives an equal rule and label',
  },
  {
    file: 'src/activations/registry.ts', mutator: 'ConditionalExpression', original: 'target !== undefined', replacement: 'false',
    reason: "targetOf's WeakMap is a cache: a fresh target for the same kernel reads the same forward, derivative and parameters",
  },
  {
    file: 'src/activations/registry.ts', mutator: 'CallExpression', original: 'targets.set(kernel, made);', replacement: ';',
    reason: "targetOf's WeakMap is a cache: a fresh target for the same kernel reads the same forward, derivative and parameters",
  },
  {
    file: 'src/activations/registry.ts', mutator: 'ConditionalExpression', original: 'c === 0', replacement: 'false',
    reason: 'with no centre, shifting by c = 0 (forward(u + 0), derivative(u + 0, y), x − 0) changes no value',
  },
  {
    file: 'src/activations/registry.ts', mutator: 'ConditionalExpression', original: 'c === 0', replacement: 'true',
    reason: "targetOf's derivative: the only kernel with a centre (heaviside's threshold) has the derivative 0 everywhere, so not shifting its argument changes nothing",
  },
  {
    file: 'src/activations/registry.ts', mutator: 'EqualityOperator', original: 'c === 0', replacement: 'c !== 0',
    reason: "targetOf's derivative: the only kernel with a centre (heaviside's threshold) has the derivative 0 everywhere, so shifting it or not changes nothing",
  },
  {
    file: 'src/activations/registry.ts', mutator: 'ArithmeticOperator', original: 'u + c', replacement: 'u - c',
    reason: "targetOf's derivative: the only kernel with a centre (heaviside's threshold) has the derivative 0 everywhere, so the direction of the shift changes nothing",
  },
  {
    file: 'src/activations/registry.ts', mutator: 'ConditionalExpression', original: 'rule.derivative !== undefined && (kernel.center ?? 0) === 0', replacement: 'false',
    reason: 'the fast path for a plain local derivative without a centre: binding it returns the same rule (bindRule of a rule without bind is the rule)',
  },
  {
    file: 'src/activations/rules.ts', mutator: 'Regex', original: '/, t = \\d+$/', replacement: '/, t = \\d+/',
    reason: "a schedule's toString ends with ', t = N' and has it nowhere else, so anchoring the match at the end changes nothing",
  },
  {
    file: 'src/activations/rules.ts', mutator: 'ConditionalExpression', original: 'la.tensors.length + lb.tensors.length === 0', replacement: 'false',
    reason: 'a blend with no learnable part given an empty binding: recordLearnable records the same inputs [x] and computes g·h in the same float order',
  },
  // ---- src/nd/reduce.ts ----
  {
    file: 'src/nd/reduce.ts', mutator: 'ArrayDeclaration', original: 'new Array<boolean>(ndim)', replacement: 'new Array()',
    reason: '`reduced` then starts empty, and the indices never set read undefined, which is as false as the fill',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ConditionalExpression', original: 'a.size > 0', replacement: 'true',
    reason: 'accumulate over an empty array runs no row: rows = size / n is 0, or NaN (0/0) when the last axis is empty',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'EqualityOperator', original: 'a.size > 0', replacement: 'a.size >= 0',
    reason: 'accumulate over an empty array runs no row: rows = size / n is 0, or NaN (0/0) when the last axis is empty',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ConditionalExpression', original: 'outStep === 0', replacement: 'false',
    reason: 'a reduced last axis summed element by element into acc instead of through a row partial sum: the same float64 sum in another association order (no contract fixes it; the tests compare to 1e-12)',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'EqualityOperator', original: 'v > acc[o]', replacement: 'v >= acc[o]',
    reason: 'a tie keeps an equal value (max(−0, 0): which zero comes out is not specified, as in NumPy)',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'EqualityOperator', original: 'v < acc[o]', replacement: 'v <= acc[o]',
    reason: 'a tie keeps an equal value (min(−0, 0): which zero comes out is not specified, as in NumPy)',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ArrayDeclaration', original: '[]', replacement: '["Stryker was here"]',
    reason: 'unbroadcast: a non-numeric entry in axes sets a non-index property of `reduced` in nd.reduce, which then ignores it',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'EqualityOperator', original: 'd < g.shape.length', replacement: 'd <= g.shape.length',
    reason: 'unbroadcast: d = ndim reads shape[ndim − lead] = undefined, never 1, so no axis is added',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ConditionalExpression', original: 'g.shape[d] !== 1', replacement: 'true',
    reason: 'unbroadcast: also summing an axis that is already 1 in g sums one element: the same value',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ConditionalExpression', original: 'axes.length === 0 && lead === 0', replacement: 'false',
    reason: 'unbroadcast: nothing to sum; reducing over no axes and reshaping gives the same values as returning g',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ConditionalExpression', original: 'lead === 0', replacement: 'true',
    reason: 'unbroadcast: every leading axis is in `axes`, so axes is empty only when lead is 0',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'EqualityOperator', original: 'lead === 0', replacement: 'lead !== 0',
    reason: 'unbroadcast: with axes empty lead is 0, and reducing over no axes gives the same values as returning g',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ConditionalExpression', original: 'g.stride[1] === 1 && g.stride[0] === m', replacement: 'false',
    reason: 'the SIMD column sums are a fast path: the JS loop adds the same float64 sums in the same row order, bit for bit (and release only returns a buffer to the pool)',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'BlockStatement', original: '{ // contiguous float32 rows: the WASM SIMD kernel adds the same float64 sums in the same order const out = acquire(dtype, m); if (sumRowsInto(out, g.data, g.offset, n, m)) return wrap(out, [m]); release(out); }', replacement: '{}',
    reason: 'the SIMD column sums are a fast path: the JS loop adds the same float64 sums in the same row order, bit for bit (and release only returns a buffer to the pool)',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ConditionalExpression', original: 'sumRowsInto(out, g.data, g.offset, n, m)', replacement: 'false',
    reason: 'the SIMD column sums are a fast path: the JS loop adds the same float64 sums in the same row order, bit for bit (and release only returns a buffer to the pool)',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'CallExpression', original: 'release(out);', replacement: ';',
    reason: 'the SIMD column sums are a fast path: the JS loop adds the same float64 sums in the same row order, bit for bit (and release only returns a buffer to the pool)',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'ConditionalExpression', original: 'colStride === 1', replacement: 'false',
    reason: 'the strided loop with colStride 1 reads the same elements in the same order',
  },
  {
    file: 'src/nd/reduce.ts', mutator: 'EqualityOperator', original: 'j < m', replacement: 'j <= m',
    reason: 'the extra j = m writes acc[m], out of bounds of a typed array, which is ignored',
  },
  // ---- src/autograd/tape.ts ----
  {
    file: 'src/autograd/tape.ts', mutator: 'ArrayDeclaration', original: 'new Array<number>(inputs.length)', replacement: 'new Array()',
    reason: 'a JS array grows as it is filled: the same versions in the same places',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ArrayDeclaration', original: 'new Array<boolean>(inputs.length)', replacement: 'new Array()',
    reason: 'a JS array grows as it is filled: the same flags in the same places',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ArrayDeclaration', original: '[first]', replacement: '[]',
    reason: 'the graph is acyclic: the first record is never reached again from its own inputs, so marking it seen changes nothing',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'BooleanLiteral', original: 'false', replacement: 'true', line: 227,
    reason: "retainGraph's default: Tensor.backward always passes it; the internal callers (grad, gradcheck, gradientAgreement) drop the graph they built, so keeping it only costs memory",
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: '!kept', replacement: 'false',
    reason: "deleting a run record's output gradient from the map only frees it early: the entry is never read again, and its buffer is dropped below either way",
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'CallExpression', original: 'grads.delete(record.outputId);', replacement: ';',
    reason: "deleting a run record's output gradient from the map only frees it early: the entry is never read again, and its buffer is dropped below either way",
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: 'only === null || !inputs[i].isLeaf || only.has(inputs[i])', replacement: 'true',
    reason: 'a leaf outside `inputs` then gets a gradient computed and summed in the map but never written to .grad: only work changes',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'EqualityOperator', original: 'i < inputGrads.length', replacement: 'i <= inputGrads.length',
    reason: 'the extra i reads undefined for gi and needs[i], and the loop body skips it',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'BlockStatement', original: '{ nd.addInto(existing, g); return; }', replacement: '{}',
    reason: 'summing into a fresh buffer instead of in place gives the same values',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: 'refs.get(existing.data) === 1 && nd.isContiguous(existing)', replacement: 'false',
    reason: 'summing into a fresh buffer instead of in place gives the same values',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: 'g === undefined', replacement: 'false',
    reason: 'every tensor in `targets` has a gradient in the map: the root its seed, the others the one summed when they were added',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: 'refs.get(g.data) === 1 && nd.isContiguous(g) && nd.dtypeOf(g) === t.dtype', replacement: 'false',
    reason: 'copying a buffer only this pass holds instead of adopting it as .grad gives an equal .grad (a copy more; the buffer then goes back to the pool)',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: 'sole', replacement: 'false',
    reason: 'copying a buffer only this pass holds instead of adopting it as .grad gives an equal .grad (a copy more; the buffer then goes back to the pool)',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'CallExpression', original: 'refs.delete(g.data);', replacement: ';',
    reason: 'refs belongs to this pass: an adopted buffer is never dropped again (targets are skipped by the last loop), so its stale count is never read',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: 'first === null', replacement: 'false',
    reason: 'a tensor that requires grad and is not a leaf always has a record (backward refuses the others before)',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: 'producer === null', replacement: 'false',
    reason: 'an input that requires grad and is not a leaf always has a record',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'EqualityOperator', original: 'i < a.length', replacement: 'i <= a.length',
    reason: 'sameShape: a[n] and b[n] are both undefined, which compare equal',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: 'count === undefined', replacement: 'false',
    reason: 'drop of a buffer this pass never counted: nd.release ignores a buffer the pool did not hand out (or already took back)',
  },
  {
    file: 'src/autograd/tape.ts', mutator: 'ConditionalExpression', original: '!targets.has(id)', replacement: 'true',
    reason: "also dropping the targets' gradients at the end: an adopted buffer's count was deleted and a copied one was already dropped to its last holder's count, so the drops find nothing to release",
  },
  // ---- src/nd/elementwise.ts and src/nd/loops.ts ----
  {
    file: 'src/nd/elementwise.ts', mutator: 'ArrayDeclaration', original: 'new Array<number>(n)', replacement: 'new Array()',
    reason: 'a JS array grows as it is filled: the same shape',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'y.length === 0', replacement: 'false',
    reason: 'an empty output: every loop below runs zero times',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'aFlat && bFlat && a.size === y.length && b.size === y.length', replacement: 'false',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'BlockStatement', original: "{ loopFor('zip', f)(f, a.data, b.data, y); return out; }", replacement: '{}',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'aFlat && a.size === y.length && b.size === 1', replacement: 'false',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'a.size === y.length', replacement: 'true',
    reason: "with b of size 1 the broadcast shape is a's, so a.size === y.length already",
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'a.size === y.length', replacement: 'a.size !== y.length',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'BlockStatement', original: "{ loopFor('zipScalarRight', f)(f, a.data, b.data[b.offset], y); return out; }", replacement: '{}',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'bFlat && b.size === y.length && a.size === 1', replacement: 'false',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'b.size === y.length', replacement: 'true',
    reason: "with a of size 1 the broadcast shape is b's, so b.size === y.length already",
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'b.size === y.length', replacement: 'b.size !== y.length',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'BlockStatement', original: "{ loopFor('zipScalarLeft', f)(f, a.data[a.offset], b.data, y); return out; }", replacement: '{}',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'aFlat && bFlat && a.size === y.length && isTrailingBlock(b.shape, shape)', replacement: 'false',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'BlockStatement', original: "{ loopFor('zipBlockRight', f)(f, a.data, b.data, b.size, y); return out; }", replacement: '{}',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'aFlat && bFlat && b.size === y.length && isTrailingBlock(a.shape, shape)', replacement: 'false',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'BlockStatement', original: "{ loopFor('zipBlockLeft', f)(f, a.data, b.data, a.size, y); return out; }", replacement: '{}',
    reason: 'fast-path selection: the general strided walk (walk2) computes every broadcast case, so not taking a fast path gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'BlockStatement', original: '{ let start = 0; while (start < part.length && part[start] === 1) start++; const k = part.length - start; if (k === 0 || k > whole.length) return false; for (let i = 0; i < k; i++) if (part[start + i] !== whole[whole.length - k + i]) return false; return true; }', replacement: '{}',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'start < part.length && part[start] === 1', replacement: 'false',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'LogicalOperator', original: 'start < part.length && part[start] === 1', replacement: 'start < part.length || part[start] === 1',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'start < part.length', replacement: 'true',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'start < part.length', replacement: 'start <= part.length',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'start < part.length', replacement: 'start >= part.length',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'part[start] === 1', replacement: 'true',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'part[start] === 1', replacement: 'part[start] !== 1',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'UpdateOperator', original: 'start++', replacement: 'start--',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ArithmeticOperator', original: 'part.length - start', replacement: 'part.length + start',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'k === 0 || k > whole.length', replacement: 'true',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'k === 0 || k > whole.length', replacement: 'false',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'LogicalOperator', original: 'k === 0 || k > whole.length', replacement: 'k === 0 && k > whole.length',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'k === 0', replacement: 'false',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'k === 0', replacement: 'k !== 0',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'k > whole.length', replacement: 'false',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'k > whole.length', replacement: 'k >= whole.length',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'k > whole.length', replacement: 'k <= whole.length',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'i < k', replacement: 'i <= k',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ConditionalExpression', original: 'part[start + i] !== whole[whole.length - k + i]', replacement: 'true',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'part[start + i] !== whole[whole.length - k + i]', replacement: 'part[start + i] === whole[whole.length - k + i]',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ArithmeticOperator', original: 'start + i', replacement: 'start - i',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ArithmeticOperator', original: 'whole.length - k + i', replacement: 'whole.length - k - i',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'ArithmeticOperator', original: 'whole.length - k', replacement: 'whole.length + k',
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'BooleanLiteral', original: 'true', replacement: 'false', line: 87,
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'BooleanLiteral', original: 'false', replacement: 'true', line: 85,
    reason: 'isTrailingBlock only ever answers false more often here (or true for a part of 1s, where the block is one element repeated): the general walk or a block of length 1 gives the same values',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'o < y.length', replacement: 'o <= y.length',
    reason: 'walk2: the extra row starts at y.length, where writes to a typed array are ignored',
  },
  {
    file: 'src/nd/elementwise.ts', mutator: 'EqualityOperator', original: 'j < n', replacement: 'j <= n',
    reason: "walk2: the extra element of a row lands on the next row's first, which that row then overwrites (the last one out of bounds, ignored)",
  },
  {
    file: 'src/nd/loops.ts', mutator: 'ConditionalExpression', original: 'cache === undefined', replacement: 'true',
    reason: 'a fresh per-kind WeakMap only misses the cache: the loop comes from bySource, the same compiled loop',
  },
  {
    file: 'src/nd/loops.ts', mutator: 'ConditionalExpression', original: 'cached !== undefined', replacement: 'false',
    reason: 'the per-function cache: missing it finds the same loop in bySource',
  },
  {
    file: 'src/nd/loops.ts', mutator: 'CallExpression', original: 'cache.set(fn, loop);', replacement: ';',
    reason: 'the per-function cache: missing it finds the same loop in bySource',
  },
  // ---- src/activations/engine.ts ----
  {
    file: 'src/activations/engine.ts', mutator: 'BlockStatement', original: '{ return [out]; }', replacement: '{}',
    reason: "after the float32 kernel wrote out, the loop writes the same values again (the kernels are bit for bit the loop's)",
  },
  {
    file: 'src/activations/engine.ts', mutator: 'ConditionalExpression', original: 'op === undefined', replacement: 'true',
    reason: 'the op definition per activation is a cache: a fresh one has the same name and backward',
  },
  {
    file: 'src/activations/engine.ts', mutator: 'CallExpression', original: 'ops.set(name, op);', replacement: ';',
    reason: 'the op definition per activation is a cache: a fresh one has the same name and backward',
  },
  {
    file: 'src/activations/engine.ts', mutator: 'ConditionalExpression', original: 'options !== undefined', replacement: 'true',
    reason: 'checkOptionKeys(undefined) iterates over nothing',
  },
  {
    file: 'src/activations/engine.ts', mutator: 'ConditionalExpression', original: 'bound.derivative !== undefined', replacement: 'true',
    reason: 'a bound rule has `learnable` only beside a local derivative (liveRule and blend refuse the others)',
  },
  {
    file: 'src/activations/engine.ts', mutator: 'ConditionalExpression', original: '!shouldRecord([x])', replacement: 'false',
    reason: 'record() and recordContext() make the same unrecorded output when no input requires grad (anomaly mode sees the same inputs)',
  },
  // ---- src/optim/adam.ts ----
  {
    file: 'src/optim/adam.ts', mutator: 'EqualityOperator', original: 'i < n', replacement: 'i <= n',
    reason: 'the two update loops over typed arrays: the extra iteration i = n reads undefined and writes out of bounds, which typed arrays ignore',
  },
  {
    file: 'src/optim/adam.ts', mutator: 'EqualityOperator', original: 'vmax[i] > vi', replacement: 'vmax[i] >= vi',
    reason: 'the running maximum on a tie: both branches give the same value',
  },
  {
    file: 'src/optim/adam.ts', mutator: 'ConditionalExpression', original: 'nd.adamStepInto(p, g, m, v, { sign, l2, shrink, beta1, beta2, stepSize, invSqrtBc2, eps })', replacement: 'false',
    reason: 'the SIMD update is a fast path: the JS loop after it computes the same values in the same order (test/optim/float32-simd.test.ts checks both against the formulas)',
  },
  // ---- src/optim/sgd.ts ----
  {
    file: 'src/optim/sgd.ts', mutator: 'EqualityOperator', original: 'i < n', replacement: 'i <= n',
    reason: 'the three update loops over typed arrays: the extra iteration i = n reads undefined and writes out of bounds, which typed arrays ignore',
  },
  {
    file: 'src/optim/sgd.ts', mutator: 'ConditionalExpression', original: 'nd.sgdStepInto(p, g, null, { lr, sign, weightDecay: wd, momentum: 0, keep, nesterov: nesterovOn, first: false })', replacement: 'false',
    reason: 'the SIMD update is a fast path: the JS loop after it computes the same values in the same order',
  },
  {
    file: 'src/optim/sgd.ts', mutator: 'ObjectLiteral', original: '{ lr, sign, weightDecay: wd, momentum: 0, keep, nesterov: nesterovOn, first: false }', replacement: '{}',
    reason: 'with the options gone the kernel reads momentum as not 0, finds no momentum buffer and declines, so the JS loop runs',
  },
  {
    file: 'src/optim/sgd.ts', mutator: 'BooleanLiteral', original: 'false', replacement: 'true', line: 89,
    reason: "`first` is read only with a momentum buffer; without momentum the kernel ignores it",
  },
  {
    file: 'src/optim/sgd.ts', mutator: 'ConditionalExpression', original: 'nd.sgdStepInto(p, g, b, { lr, sign, weightDecay: wd, momentum: mu, keep, nesterov: nesterovOn, first })', replacement: 'false',
    reason: 'the SIMD update is a fast path: the JS loop after it computes the same values in the same order',
  },
];

/** The core files (issue 15). Pass `--mutate <file>` to run a subset. */
export const coreFiles = [
  'src/autograd/tape.ts',
  'src/ops/arithmetic.ts',
  'src/ops/reduce.ts',
  'src/ops/linalg.ts',
  'src/ops/loss.ts',
  'src/activations/engine.ts',
  'src/activations/registry.ts',
  'src/activations/rules.ts',
  'src/optim/adam.ts',
  'src/optim/sgd.ts',
  'src/nd/elementwise.ts',
  'src/nd/reduce.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: coreFiles,
  testRunner: 'vitest',
  vitest: { configFile: 'mutate/vitest.config.mts', related: true },
  coverageAnalysis: 'perTest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // message strings are not behaviour (error classes and values are asserted instead)
  mutator: { excludedMutations: ['StringLiteral'] },
  // the machine is shared: one test-runner process
  concurrency: 1,
  timeoutMS: 20000,
  // info, never debug: at debug level the vitest runner serialises its whole resolved config
  logLevel: 'info',
  fileLogLevel: 'off',
  reporters: ['clear-text', 'progress', 'json'],
  // MUTATE_REPORT names the JSON report (mutate/score.mjs reads it); one per file keeps per-file runs apart
  jsonReporter: { fileName: process.env.MUTATE_REPORT ?? 'mutate/reports/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  tempDirName: 'mutate/.stryker-tmp',
  cleanTempDir: true,
  // everything in mutate/ stays out of the sandbox except the vitest config the runner loads
  ignorePatterns: ['/mutate/*', '!/mutate/vitest.config.mts', 'dist', 'coverage', 'runs', 'bench', '.vitest'],
  ignoreStatic: true,
  // only our TypeScript sources are instrumented; asm/ is AssemblyScript, which babel cannot parse
  disableTypeChecks: 'src/**/*.ts',
  incremental: false,
};
