// Which submissions raise an emergency alert, from the form's declarative triggers.
import type { FormDefinition, Severity } from './definition.ts'
import { conditionHolds, type Values } from './validation.ts'

export interface AlertClass {
  category: string
  severity: Severity
}

const severities: readonly Severity[] = ['general', 'urgent', 'critical']

/** The alert a submission raises, or undefined. The first matching trigger wins. */
export function alertFor(form: FormDefinition, values: Values): AlertClass | undefined {
  for (const trigger of form.alerts) {
    if ('when' in trigger) {
      if (conditionHolds(trigger.when, values)) return { category: trigger.category, severity: trigger.severity }
      continue
    }
    const category = values[trigger.categoryField]
    const severity = values[trigger.severityField]
    if (typeof category === 'string' && severities.includes(severity as Severity)) {
      return { category, severity: severity as Severity }
    }
  }
  return undefined
}
