export * from './format';
export * from './layout';
export * from './model';
export * from './context';
export * from './task';
export * from './notice';
export * from './digest';
export * from './ledger';
export { renderReviewMail, type ReviewMailModel } from '../review-mail';
