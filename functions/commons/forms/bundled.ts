// Forms inside a Lambda bundle, which has no forms/ folder to read. The bundler defines
// __SENTINEL_FORM_FILES__ as the names of the files in forms/ (infra/bundling.ts), and esbuild
// bundles every file the template import below can match. Run from source (tsx, vitest) the
// name is not defined and the folder is read as the local server does.
import type { FormDefinitionInput } from './definition.ts'
import { FormDefinitionError, loadFormInputs } from './registry.ts'

declare const __SENTINEL_FORM_FILES__: readonly string[] | undefined

/** The built-in definitions (forms/catalog.ts checks them). */
export async function loadBundledFormInputs(): Promise<FormDefinitionInput[]> {
  if (typeof __SENTINEL_FORM_FILES__ === 'undefined') return loadFormInputs()
  return Promise.all(
    __SENTINEL_FORM_FILES__.map(async (name) => {
      const module = (await import(`../../../forms/${name}.ts`)) as { default?: FormDefinitionInput }
      if (!module.default) throw new FormDefinitionError(`${name}.ts has no default export`)
      return module.default
    }),
  )
}
