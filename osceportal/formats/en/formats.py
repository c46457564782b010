# English, British or not: dates in full ("31 May 2013", as the organisation writes them) and
# times on the 24-hour clock ("14:05").
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
