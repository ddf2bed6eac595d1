export { superviseTask } from './superviseTask';
