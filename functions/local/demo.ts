// First run: a small roster drawn from the work plan's units, so a newcomer can try it at once.
import type { Clock } from '#commons/clock.ts'
import type { FormRegistry } from '#commons/forms/registry.ts'
import type { UnitStore } from '#commons/store.ts'
import { addUnit } from '#commons/units.ts'

const everyone = ['daily-health', 'emergency']

const demoUnits = [
  { id: 'office', name: '领导小组办公室', forms: everyone },
  { id: 'personnel', name: '组织人事科', forms: everyone },
  { id: 'resources', name: '资源保护科', forms: [...everyone, 'wildlife-daily'] },
  { id: 'park-east', name: '东园公园管理处', forms: [...everyone, 'wildlife-daily'] },
  { id: 'park-west', name: '西园公园管理处', forms: [...everyone, 'wildlife-daily'] },
  { id: 'engineering', name: '中心工程管理科', forms: [...everyone, 'site-daily'] },
]

export interface DemoLink {
  id: string
  name: string
  token: string
}

/** Adds the demo units when the roster is empty; returns their tokens (only now are they known). */
export async function seedDemoUnits(units: UnitStore, forms: FormRegistry, clock: Clock): Promise<DemoLink[]> {
  if ((await units.list()).length > 0) return []
  const links: DemoLink[] = []
  for (const demo of demoUnits) {
    const known = demo.forms.filter((id) => forms.get(id))
    const { unit, token } = await addUnit(units, forms, clock, { ...demo, forms: known })
    links.push({ id: unit.id, name: unit.name, token })
  }
  return links
}
