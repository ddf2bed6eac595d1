export { superviseCampaign } from './superviseCampaign';
export { superviseTask } from './superviseTask';
