import subprocess
from setuptools import setup, Extension
from setuptools.command.build_ext import build_ext


class CMakeBuild(build_ext):
    def run(self):
        subprocess.check_call(["cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"])
        subprocess.check_call(["cmake", "--build", "build", "-j4"])
        super().run()


def version():
    return subprocess.check_output(["git", "describe", "--tags"]).decode().strip()


setup(name="fastlib", version=version(), ext_modules=[Extension("fastlib", [])], cmdclass={"build_ext": CMakeBuild})
