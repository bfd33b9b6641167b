// First run: a small roster drawn from the work plan's units, so a newcomer can try it at once.
import type { Clock } from '#commons/clock.ts'
import type { FormRegistry } from '#commons/forms/registry.ts'
import type { UnitStore } from '#commons/store.ts'
import { addUnit, type NewUnit } from '#commons/units/roster.ts'

const demoUnits: NewUnit[] = [
  { id: 'office', name: '领导小组办公室', type: 'office', contact: { name: '刘洋', phone: '010-60000001' } },
  { id: 'personnel', name: '组织人事科', type: 'section', contact: { name: '陈静', phone: '010-60000002' } },
  { id: 'resources', name: '资源保护科', type: 'resource', contact: { name: '杨帆', phone: '010-60000003' } },
  { id: 'park-east', name: '东园公园管理处', type: 'park', contact: { name: '黄磊', phone: '010-60000004' } },
  { id: 'park-west', name: '西园公园管理处', type: 'park', contact: { name: '周婷', phone: '010-60000005' } },
  {
    id: 'engineering',
    name: '中心工程管理科',
    type: 'engineering',
    sites: ['北湖湿地二期', '西园步道改造'],
    contact: { name: '吴刚', phone: '010-60000006' },
  },
]

interface DemoLink {
  id: string
  name: string
  token: string
}

/** Adds the demo units when the roster is empty; returns their tokens (only now are they known). */
export async function seedDemoUnits(units: UnitStore, forms: FormRegistry, clock: Clock): Promise<DemoLink[]> {
  if ((await units.list()).length > 0) return []
  const links: DemoLink[] = []
  for (const demo of demoUnits) {
    const { unit, token } = await addUnit(units, forms, clock, demo)
    links.push({ id: unit.id, name: unit.name, token })
  }
  return links
}
