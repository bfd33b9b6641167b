// How every function is bundled. CDK's NodejsFunction, the bundle benchmark and the handler
// tests all use these options, so what is measured and tested is what is deployed.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'
import { ClientBuildError, clientBuildOptions } from '../functions/commons/web/client-bundle.ts'

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../..')

/** One thin entry per Lambda function. */
export const functionEntries = {
  api: 'functions/api/index.ts',
  workbooks: 'functions/workbooks/index.ts',
  mirror: 'functions/mirror/index.ts',
  alerts: 'functions/alerts/index.ts',
  schedule: 'functions/schedule/index.ts',
} as const
export type FunctionName = keyof typeof functionEntries

/**
 * The form files in `forms/`, read at build time: a bundle has no folder to read at run time.
 * Each becomes a `define` of `__SENTINEL_FORM_FILES__`, and esbuild bundles every file the
 * template import in functions/commons/forms/bundled.ts can reach, so adding a form stays one file.
 */
function formFileNames(dir = join(repoRoot, 'forms')): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort()
}

/**
 * The AWS SDK v3 ships in the Node 24 runtime; leaving it out keeps bundles and cold starts
 * small (bundling it would double every bundle: the API's from 580 to 1,007 KiB). The price: the
 * tests run the SDK version package-lock.json pins, Lambda its own.
 */
export const externalModules = ['@aws-sdk/*']

/** Where bench and tests put bundles: inside the repository, so the external SDK resolves from node_modules. */
export const bundleCacheDir = join(repoRoot, 'node_modules', '.cache', 'sentinel-bundles')

/**
 * The pages' script, built now and injected into the API bundle as a global (a Lambda has no
 * esbuild at run time; see functions/commons/web/client-bundle.ts). An injected file rather than
 * a `define`: CDK passes defines through a shell, which would mangle `$` and backticks in code.
 */
function clientScriptInject(): string {
  const built = buildSync(clientBuildOptions).outputFiles[0]
  if (!built) throw new ClientBuildError('the client script build produced no output')
  mkdirSync(bundleCacheDir, { recursive: true })
  const file = join(bundleCacheDir, 'client-script-inject.js')
  writeFileSync(file, `globalThis.__SENTINEL_CLIENT_JS__ = ${JSON.stringify(built.text)};\n`)
  return file
}

/** Files injected into a function's bundle: the web app's functions serve the pages' script. */
export const injectsFor = (name: FunctionName): string[] => (name === 'api' || name === 'workbooks' ? [clientScriptInject()] : [])

/** esbuild settings shared by CDK (as BundlingOptions) and by `esbuildOptions` below. */
export const bundleSettings = {
  target: 'node24',
  minify: true,
  // ESM output may still meet CommonJS code that calls require().
  banner: "import { createRequire as __sentinelRequire } from 'node:module'; const require = __sentinelRequire(import.meta.url);",
  mainFields: ['module', 'main'],
  define: () => ({ __SENTINEL_FORM_FILES__: JSON.stringify(formFileNames()) }),
} as const

/** The same bundle through esbuild's JS API (bench, handler tests): ESM, UTF-8, no source map. */
export function esbuildOptions(name: FunctionName, outfile: string) {
  return {
    entryPoints: [join(repoRoot, functionEntries[name])],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    charset: 'utf8' as const,
    target: bundleSettings.target,
    minify: bundleSettings.minify,
    banner: { js: bundleSettings.banner },
    mainFields: [...bundleSettings.mainFields],
    define: bundleSettings.define(),
    external: externalModules,
    inject: injectsFor(name),
    absWorkingDir: repoRoot,
    logLevel: 'warning' as const,
  }
}

/** Bundles one function as CDK does and returns the file and its size in bytes. */
export async function buildBundle(
  name: FunctionName,
  outfile = join(bundleCacheDir, `${name}.mjs`),
): Promise<{ file: string; bytes: number }> {
  const { build } = await import('esbuild')
  await build(esbuildOptions(name, outfile))
  return { file: outfile, bytes: statSync(outfile).size }
}
