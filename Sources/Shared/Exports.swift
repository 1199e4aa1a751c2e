// What ATSShared's users always had from it: the standard registry, JSON settings and version.
@_exported import ATSCommon
