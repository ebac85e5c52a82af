from asyncshell.paths import builtin_lessons_dir
def main():
    print(sorted(p.name for p in builtin_lessons_dir().iterdir()))
    return 0
