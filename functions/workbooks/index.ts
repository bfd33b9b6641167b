// The workbook function: the same web app, with the .xlsx library (exceljs), for the two routes
// that need it, GET /office/forms/{id}/workbook.xlsx and POST /office/forms/preview. Kept apart
// so the API function's bundle, loaded at every cold start, stays small.
import { formWorkbookFiles } from '#commons/adapters/form-workbook.ts'
import { webAppHandler } from '#commons/lambda/web-app.ts'

export const handler = await webAppHandler({ workbooks: formWorkbookFiles })
