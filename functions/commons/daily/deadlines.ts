// Daily-form deadlines: HH:MM in the organisation's time zone, kept in the database.
import type { FormDefinition } from '../forms/definition.ts'
import type { SettingsStore } from '../store.ts'

const DEFAULT_DEADLINE = '10:00'
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/

export class DeadlineInputError extends Error {
  override name = 'DeadlineInputError'
}

/** Whether `time` is a deadline as the office writes it: HH:MM, 24-hour. */
export const isDeadlineTime = (time: string): boolean => HH_MM.test(time)

const settingName = (formId: string) => `deadline#${formId}`

export async function deadlineOf(settings: SettingsStore, formId: string): Promise<string> {
  return (await settings.get(settingName(formId))) ?? DEFAULT_DEADLINE
}

export async function setDeadline(settings: SettingsStore, form: FormDefinition, time: string): Promise<string> {
  if (form.kind !== 'daily') throw new DeadlineInputError(`${form.id} is not a daily form: it has no deadline`)
  if (!HH_MM.test(time)) throw new DeadlineInputError('time must be HH:MM (24-hour, organisation time zone)')
  await settings.put(settingName(form.id), time)
  return time
}
