/** `deno task hooks`: installs the git pre-commit hook that runs `deno task check`. */
const source = ".githooks/pre-commit";
const target = ".git/hooks/pre-commit";
try {
  await Deno.stat(".git");
} catch {
  console.error("error: run `deno task hooks` from the repository root (no .git here)");
  Deno.exit(1);
}
await Deno.mkdir(".git/hooks", { recursive: true });
await Deno.writeTextFile(target, await Deno.readTextFile(source));
await Deno.chmod(target, 0o755);
console.log(`installed ${target}: \`deno task check\` now runs before every commit`);
