// The API function: the web app and JSON API (commons/lambda/web-app.ts), without the .xlsx
// library: the forms page's workbook routes are the workbook function's.
import { webAppHandler } from '#commons/lambda/web-app.ts'

export const handler = await webAppHandler()
