//! File names: which extensions make a word a file name worth keeping as an indicator.

/// Extensions of executables, scripts, installers, archives and documents that carry macros or
/// exploits: what droppers and phishing attachments are named. Web page names (`index.html`,
/// `style.css`, `gate.php`) are left out on purpose: in reports they are parts of sites, not
/// files anyone received. Lower case; compared case-insensitively.
const EXTENSIONS: &[&str] = &[
    // Windows executables and libraries
    "exe", "dll", "scr", "cpl", "ocx", "sys", "drv", "pif", "msi", "msp", "msix", "appx",
    // scripts
    "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "sct", "reg",
    "inf", "lnk", "url", "chm", "xll", "jar", "py", "sh", // other platforms
    "apk", "elf", "so", "dmg", "pkg", "deb", "rpm", "bin", "dat", "tmp",
    // disk images and archives (ISO, IMG and VHD bypass Mark-of-the-Web; LZH is still mailed in Japan)
    "iso", "img", "vhd", "vhdx", "zip", "rar", "7z", "gz", "tgz", "tar", "cab", "ace", "arj", "lzh",
    "xz", "bz2", // documents (Office, PDF, RTF, OneNote, Ichitaro, Hangul)
    "doc", "docx", "docm", "dot", "dotm", "xls", "xlsx", "xlsm", "xlsb", "xlam", "ppt", "pptx",
    "pptm", "ppam", "pdf", "rtf", "one", "odt", "ods", "odp", "jtd", "jtdc", "hwp", "eml", "msg",
];

/// Whether `ext` (without the dot) is a file-name extension we extract.
pub(crate) fn is_file_extension(ext: &str) -> bool {
    ext.len() <= 5 && EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext))
}

/// The extension of a name, if it has a dot and a non-empty stem.
pub(crate) fn extension(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then_some(ext)
}
