/**
 * The cost probe's preload (`node --import <bundle of this file>` before the target's bundle): what makes a
 * target's instruction count repeat from run to run without touching the target's code. See each module.
 */
import { fixedRandomUUIDs } from './fixed-ids.ts';
import { quietHttpHousekeeping } from './http-housekeeping.ts';
import { installVirtualClock } from './install-clock.ts';

installVirtualClock();
quietHttpHousekeeping();
fixedRandomUUIDs();
