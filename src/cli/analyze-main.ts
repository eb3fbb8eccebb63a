// Entry of the `analyze` bundle (bin/cli-bundle.mjs builds it with esbuild and
// bin/gaitwatch.mjs runs it): the same program and `analyze` command as
// main.ts, without the other commands, so the bundle holds only what analysis
// needs and starts without tsx (~0.25 s instead of ~0.6 s, bench/FINDINGS.md).
import { addAnalyzeCommand } from './analyze-command.ts';
import { newProgram } from './program.ts';

const program = newProgram();
addAnalyzeCommand(program);
await program.parseAsync(process.argv);
