import { FinOpsError } from '../errors';
import { checkTimeZone } from '../savings/calendar';

/**
 * IANA time zone → Windows time zone id, as Azure DevTest Labs schedules (`timeZoneId`) take it. From the Unicode
 * CLDR mapping (common/supplemental/windowsZones.xml, https://github.com/unicode-org/cldr), the zones people
 * schedule work hours in; a zone not listed is refused with the fix.
 */
const WINDOWS_ZONES: Record<string, string> = {
  'UTC': 'UTC', 'Etc/UTC': 'UTC', 'Etc/GMT': 'UTC', 'GMT': 'UTC',
  'Europe/London': 'GMT Standard Time', 'Europe/Dublin': 'GMT Standard Time', 'Europe/Lisbon': 'GMT Standard Time',
  'Atlantic/Reykjavik': 'Greenwich Standard Time', 'Atlantic/Azores': 'Azores Standard Time',
  'Europe/Berlin': 'W. Europe Standard Time', 'Europe/Amsterdam': 'W. Europe Standard Time', 'Europe/Rome': 'W. Europe Standard Time',
  'Europe/Stockholm': 'W. Europe Standard Time', 'Europe/Vienna': 'W. Europe Standard Time', 'Europe/Zurich': 'W. Europe Standard Time',
  'Europe/Oslo': 'W. Europe Standard Time', 'Europe/Luxembourg': 'W. Europe Standard Time',
  'Europe/Paris': 'Romance Standard Time', 'Europe/Brussels': 'Romance Standard Time', 'Europe/Madrid': 'Romance Standard Time',
  'Europe/Copenhagen': 'Romance Standard Time',
  'Europe/Warsaw': 'Central European Standard Time', 'Europe/Zagreb': 'Central European Standard Time', 'Europe/Sarajevo': 'Central European Standard Time',
  'Europe/Skopje': 'Central European Standard Time',
  'Europe/Prague': 'Central Europe Standard Time', 'Europe/Budapest': 'Central Europe Standard Time', 'Europe/Belgrade': 'Central Europe Standard Time',
  'Europe/Bratislava': 'Central Europe Standard Time', 'Europe/Ljubljana': 'Central Europe Standard Time',
  'Europe/Athens': 'GTB Standard Time', 'Europe/Bucharest': 'GTB Standard Time',
  'Europe/Helsinki': 'FLE Standard Time', 'Europe/Kiev': 'FLE Standard Time', 'Europe/Kyiv': 'FLE Standard Time', 'Europe/Riga': 'FLE Standard Time',
  'Europe/Sofia': 'FLE Standard Time', 'Europe/Tallinn': 'FLE Standard Time', 'Europe/Vilnius': 'FLE Standard Time',
  'Europe/Istanbul': 'Turkey Standard Time', 'Europe/Moscow': 'Russian Standard Time',
  'Africa/Cairo': 'Egypt Standard Time', 'Africa/Johannesburg': 'South Africa Standard Time', 'Africa/Lagos': 'W. Central Africa Standard Time',
  'Africa/Nairobi': 'E. Africa Standard Time', 'Africa/Casablanca': 'Morocco Standard Time',
  'Asia/Dubai': 'Arabian Standard Time', 'Asia/Riyadh': 'Arab Standard Time', 'Asia/Jerusalem': 'Israel Standard Time', 'Asia/Tehran': 'Iran Standard Time',
  'Asia/Karachi': 'Pakistan Standard Time', 'Asia/Kolkata': 'India Standard Time', 'Asia/Calcutta': 'India Standard Time',
  'Asia/Kathmandu': 'Nepal Standard Time', 'Asia/Dhaka': 'Bangladesh Standard Time',
  'Asia/Bangkok': 'SE Asia Standard Time', 'Asia/Jakarta': 'SE Asia Standard Time', 'Asia/Ho_Chi_Minh': 'SE Asia Standard Time', 'Asia/Saigon': 'SE Asia Standard Time',
  'Asia/Shanghai': 'China Standard Time', 'Asia/Hong_Kong': 'China Standard Time',
  'Asia/Singapore': 'Singapore Standard Time', 'Asia/Kuala_Lumpur': 'Singapore Standard Time', 'Asia/Manila': 'Singapore Standard Time',
  'Asia/Taipei': 'Taipei Standard Time', 'Asia/Tokyo': 'Tokyo Standard Time', 'Asia/Seoul': 'Korea Standard Time',
  'Australia/Perth': 'W. Australia Standard Time', 'Australia/Adelaide': 'Cen. Australia Standard Time', 'Australia/Darwin': 'AUS Central Standard Time',
  'Australia/Brisbane': 'E. Australia Standard Time', 'Australia/Sydney': 'AUS Eastern Standard Time', 'Australia/Melbourne': 'AUS Eastern Standard Time',
  'Australia/Hobart': 'Tasmania Standard Time', 'Pacific/Auckland': 'New Zealand Standard Time', 'Pacific/Honolulu': 'Hawaiian Standard Time',
  'America/Anchorage': 'Alaskan Standard Time', 'America/Los_Angeles': 'Pacific Standard Time', 'America/Vancouver': 'Pacific Standard Time',
  'America/Phoenix': 'US Mountain Standard Time', 'America/Denver': 'Mountain Standard Time', 'America/Edmonton': 'Mountain Standard Time',
  'America/Boise': 'Mountain Standard Time', 'America/Chicago': 'Central Standard Time', 'America/Winnipeg': 'Central Standard Time',
  'America/Mexico_City': 'Central Standard Time (Mexico)', 'America/Regina': 'Canada Central Standard Time',
  'America/New_York': 'Eastern Standard Time', 'America/Toronto': 'Eastern Standard Time', 'America/Detroit': 'Eastern Standard Time',
  'America/Bogota': 'SA Pacific Standard Time', 'America/Lima': 'SA Pacific Standard Time', 'America/Halifax': 'Atlantic Standard Time',
  'America/Caracas': 'Venezuela Standard Time', 'America/Santiago': 'Pacific SA Standard Time', 'America/Sao_Paulo': 'E. South America Standard Time',
  'America/Argentina/Buenos_Aires': 'Argentina Standard Time', 'America/Buenos_Aires': 'Argentina Standard Time', 'America/St_Johns': 'Newfoundland Standard Time',
};

/** The Windows time zone id of an IANA zone; throws FinOpsError('input') naming the fix when none is known. */
export function windowsTimeZone(ianaZone: string): string {
  const canonical = checkTimeZone(ianaZone);
  const id = WINDOWS_ZONES[ianaZone] ?? WINDOWS_ZONES[canonical];
  if (!id) {
    throw new FinOpsError('input', `Azure auto-shutdown takes a Windows time zone, and ML FinOps knows none for "${ianaZone}".`, {
      fix: 'Write the schedule in a zone with the same clock, such as Europe/Berlin, Europe/London, America/New_York, America/Los_Angeles, Asia/Tokyo or UTC.',
    });
  }
  return id;
}
