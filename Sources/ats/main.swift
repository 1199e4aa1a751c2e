print("ats")
