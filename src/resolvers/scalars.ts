export { DateScalar as Date, DateTimeScalar as DateTime } from '../domain/scalars';
