// Dispatches `npm run bench -- <name>` to test/bench/<name>.ts.
const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: npm run bench -- <name>   (a file in test/bench)');
  process.exit(2);
}
await import(`./${name}.ts`);
