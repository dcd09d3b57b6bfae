/** The explicit route table of the api listener (§5.7), one module per Lean product area. */
import type { RouteDef } from '../state.js';
import { bankRoutes } from './banks.js';
import { customerRoutes } from './customers.js';
import { dataRoutes } from './data.js';
import { insightRoutes } from './insights.js';
import { paymentRoutes } from './payments.js';
import { payoutRoutes } from './payouts.js';
import { refundRoutes } from './refunds.js';
import { verificationRoutes } from './verifications.js';

export const API_ROUTES: readonly RouteDef[] = [
  ...bankRoutes,
  ...customerRoutes,
  ...dataRoutes,
  ...insightRoutes,
  ...verificationRoutes,
  ...paymentRoutes,
  ...payoutRoutes,
  ...refundRoutes,
];
