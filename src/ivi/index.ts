/** IVI XML module: decode → parse → validate inbound eCoCs; build IVI from structured input. */
export * from './types';
export { decodeIviDocument, containsDtd } from './decode';
export { parseIvi, decodeXmlText } from './parse';
export { buildIvi, IVI_BUILD_XSD_VERSION } from './build';
export { IVI_RULES, TYPE_APPROVAL_NUMBER, VEHICLE_CATEGORY, type IviRule, type IviRuleContext } from './rules';
export { validateIvi, osloToday, isWarningCode, type ValidateIviContext, type IviValidation } from './validate';
export { mergeIssues, fromSvvIssue, duplicateIssue } from './issues';
