// Gradient checks for modules: every parameter's gradient (from backward) against central
// finite differences in float64, and the input's gradient through the library's gradcheck.
import { Generator, type Tensor, gradcheck, nn, noGrad, tensor } from '../../src/index';

export interface ModuleGradcheck {
  ok: boolean;
  message: string;
}

/** Reduce y to the scalar Σ y·w with fixed weights w in [0.5, 1.5) (every output counts). */
function projector(shape: readonly number[]): Tensor {
  const gen = new Generator(7);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => 0.5 + gen.uniform()), { dtype: 'float64', shape });
}

export function checkModuleGradients(module: nn.Module, input: Tensor, eps = 1e-6, atol = 1e-6, rtol = 1e-5): ModuleGradcheck {
  const w = projector(module.forward(input).shape);
  const loss = (): number => noGrad(() => module.forward(input).mul(w).sum().item());
  module.zeroGrad();
  module.forward(input).mul(w).sum().backward();
  const failures: string[] = [];
  for (const [name, p] of module.namedParameters()) {
    const x = p.toNdarray().data;
    const analytic = p.grad === null ? new Float64Array(x.length) : p.grad.toTypedArray();
    for (let k = 0; k < x.length; k++) {
      const original = x[k];
      x[k] = original + eps;
      const up = loss();
      x[k] = original - eps;
      const down = loss();
      x[k] = original;
      const numeric = (up - down) / (2 * eps);
      if (Math.abs(analytic[k] - numeric) > atol + rtol * Math.abs(numeric)) {
        failures.push(`${name}[${k}]: backward ${analytic[k]}, finite differences ${numeric}`);
      }
    }
  }
  const inputCheck = gradcheck((x) => module.forward(x).mul(w).sum(), [input], { eps, atol, rtol });
  if (!inputCheck.ok) failures.push(`input: ${inputCheck.message}`);
  return { ok: failures.length === 0, message: failures.slice(0, 5).join('\n') || 'ok' };
}
