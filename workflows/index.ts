export { dailyDigest } from './dailyDigest';
export { superviseCampaign } from './superviseCampaign';
export { superviseNotice } from './superviseNotice';
export { superviseTask } from './superviseTask';
export { reviewCycle } from './reviewCycle';
export { recomputeDeadlines } from './recomputeDeadlines';
